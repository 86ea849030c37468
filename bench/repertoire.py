"""``python -m bench.repertoire``: no cliff set off by one character. For every form, its longest
list grown to ``--rows`` entries is rendered to PDF with one cell holding odd text the validation
accepts (random characters of the fonts' repertoire, soft hyphens, a long unbroken word) and with
the same cell holding plain Kazakh letters in words of the same lengths; each document must stay on
the typesetter and take at most 1.5× the time of its plain twin (the fastest of ``--repeat`` runs).

Prints one line per form and exits 1 when a goal is missed. (tests/test_typeset_repertoire.py checks
the pages; this measures the time, which would make a flaky unit test.)
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path

import forms
from forms.rendering import pdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test's value makers
from test_typeset_repertoire import latest, odd_values, put, targets  # noqa: E402

GOAL = 1.5


def grown(form_id: str, list_name: str | None, rows: int) -> dict:
    """The example with its longest list grown to ``rows`` entries (or as many as the spec allows)."""
    data = copy.deepcopy(forms.example(form_id))
    if list_name is not None:
        node = forms.schema(form_id, latest(form_id).version)["properties"][list_name]
        node = next((alt for alt in node.get("anyOf", ()) if alt.get("type") == "array"), node)
        items = data[list_name]
        count = max(len(items), min(rows, node.get("maxItems", rows)))
        data[list_name] = [copy.deepcopy(items[index % len(items)]) for index in range(count)]
    return data


def plain_twin(value: str) -> str:
    """Plain Kazakh letters in the words of ``value``: the same length, the same spaces."""
    letters = "Қожахметова"
    return " ".join((letters * (len(word) // len(letters) + 1))[: len(word)] for word in value.split(" "))


def timed(form_id: str, data: dict, repeat: int) -> tuple[float, set]:
    engines: set = set()

    def listen(form, engine, reason):
        engines.add((engine, reason))

    pdf.ENGINE_LISTENERS.append(listen)
    try:
        version = latest(form_id).version
        as_of = latest(form_id).effective_to or None
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            forms.render(form_id, data, fmt="pdf", version=version, as_of=as_of)
            times.append(time.perf_counter() - start)
    finally:
        pdf.ENGINE_LISTENERS.remove(listen)
    return min(times), engines  # the best of the runs: the machine's other load only adds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.repertoire", description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", help="form ids, comma-separated (default: all)")
    parser.add_argument("--rows", type=int, default=400, help="entries of the longest list (default 400)")
    parser.add_argument("--repeat", type=int, default=9, help="renders per document, the fastest counted (default 9)")
    args = parser.parse_args(argv)
    missed = 0
    for form_id in args.forms.split(",") if args.forms else [form["id"] for form in forms.list_forms()]:
        list_name, slots = targets(form_id)
        data = grown(form_id, list_name, args.rows)
        rng = random.Random(form_id)
        worst, left, slowest, compared = 0.0, set(), 0.0, 0
        for path, length in rng.sample(slots, min(2, len(slots))):
            for value in odd_values(rng, length):
                row = rng.random()
                twin = put(data, list_name, path, plain_twin(value), random.Random(row))
                if ("typeset", "none") not in timed(form_id, twin, 1)[1]:
                    continue  # plain letters leave too (WeasyPrint's form, or a row past a page)
                odd = put(data, list_name, path, value, random.Random(row))
                plain_time, odd_time, engines = float("inf"), float("inf"), set()
                for _ in range(args.repeat):  # alternated: the machine's load falls on both alike
                    plain_time = min(plain_time, timed(form_id, twin, 1)[0])
                    seconds, found = timed(form_id, odd, 1)
                    odd_time, engines = min(odd_time, seconds), engines | found
                worst, slowest, compared = max(worst, odd_time / plain_time), max(slowest, odd_time), compared + 1
                left |= {engine for engine in engines if engine[0] != "typeset"}
        if not compared:
            print(f"{form_id:40} plain text already made by WeasyPrint: not compared")
            continue
        ok = worst <= GOAL and not left
        missed += not ok
        print(
            f"{form_id:40} slowest odd {slowest * 1000:7.0f} ms   worst odd / plain twin {worst:5.2f}×"
            f"   {'ok' if ok else 'MISSED'}{'  left the typesetter: ' + str(sorted(left)) if left else ''}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
