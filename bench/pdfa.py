"""``python -m bench.pdfa``: what PDF/A costs the typesetter. Goals: ≤ 10% on the one-page referral,
≤ 5% on the 4,000-row journal (issue 14). The same HTML is written as a plain PDF and as each PDF/A
variant, alternately (so that a machine busy with something else slows both alike), with the
garbage collector paused as the service and ``nysan render`` pause it (its walks over a long
journal's objects would otherwise decide the spread); prints the best and median times and the
overhead of each variant over the plain PDF.
"""

from __future__ import annotations

import argparse
import statistics
import time

import forms
from bench.data import journal, referral
from forms import typeset
from forms.catalogue.registry import default_registry
from forms.pdfa import VARIANTS, Archival
from forms.rendering.document import carried_json
from forms.rendering.gcpause import gc_paused

GOALS = {"referral": 10.0, "journal-4000": 5.0}


def _html(form_id: str, data: dict) -> str:
    return forms.render(form_id, data, fmt="html").decode("utf-8")


def measure(name: str, form_id: str, data: dict, runs: int) -> dict[str, float]:
    html = _html(form_id, data)
    css = default_registry().templates_dir / "_layout" / "form.css"
    payload = carried_json({"form": form_id, "version": "1", "lang": "kk", "data": data}).encode()
    cases = {"plain": None, **{v: Archival(v, payload, "2026-01-01") for v in VARIANTS}}
    times: dict[str, list[float]] = {case: [] for case in cases}
    for _case, archival in cases.items():  # warm: fonts, subsets, the profile's stream
        typeset.render(html, css, b"0" * 32, archival)
    order = list(cases.items())
    for run in range(runs):
        # Each run in another order (the first of a run is not always the same case), with the
        # collector paused as the service and `nysan render` pause it.
        for case, archival in order[run % len(order) :] + order[: run % len(order)]:
            with gc_paused():
                started = time.perf_counter()
                typeset.render(html, css, b"0" * 32, archival)
                times[case].append(time.perf_counter() - started)
    # The fastest run shows the cost itself; the median of each run's ratio to the plain PDF of the
    # same run, what it costs while the machine drifts (a shared machine speeds up and slows down).
    best = {case: min(values) * 1000 for case, values in times.items()}
    medians = {case: statistics.median(values) * 1000 for case, values in times.items()}
    print(
        f"{name}: plain {best['plain']:.2f} ms best, {medians['plain']:.2f} ms median, {runs} runs "
        f"(goal ≤ {GOALS[name]:.0f}%)"
    )
    for variant in VARIANTS:
        paired = (statistics.median(v / p for v, p in zip(times[variant], times["plain"])) - 1) * 100
        print(
            f"  PDF/A-{variant}: {best[variant]:.2f} ms best ({(best[variant] / best['plain'] - 1) * 100:+.1f}%), "
            f"median of the runs' ratios {paired:+.1f}%{'' if paired <= GOALS[name] else ' (ABOVE GOAL)'}"
        )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs of the referral (the journal: a tenth)")
    args = parser.parse_args()
    measure("referral", "referral", referral(), args.runs)
    measure("journal-4000", "referral-journal", journal(4000), max(3, args.runs // 10))


if __name__ == "__main__":
    main()
