"""Where a long document's time goes, stage by stage (the README's profile):

    python -m bench.stages [--rows 4000] [--report-rows 1000] [--runs 5]

For the referral journal and the adaptation report: validation, the HTML (Jinja), the typesetter's
boxes (lxml and styles), layout (rows and lines), pagination and the PDF writer, each timed on its
own, warm, on a document of its own per run. CPU time of this process (``time.process_time``), the
least of the runs: on a shared machine the least is the one least disturbed by others' work.
"""

from __future__ import annotations

import argparse
import gc
import time

import forms
from bench.data import adaptation_report, journal
from forms.api import _registry
from forms.rendering.context import build_context
from forms.rendering.document import metadata
from forms.rendering.templating import environment
from forms.typeset.boxes import build
from forms.typeset.layout import Flow, flow_block
from forms.typeset.paginate import paginate
from forms.typeset.pdfwrite import write
from forms.validation.validate import check

STAGES = ("validation", "HTML", "boxes", "layout", "pagination", "PDF writer")


def profile(form: str, make, rows: int, runs: int) -> dict[str, float]:
    """The least CPU seconds of each stage over ``runs`` documents."""
    registry = _registry(None)
    spec = registry.resolve(form, None, None)
    css = (registry.templates_dir / "_layout" / "form.css").read_text(encoding="utf-8")
    forms.render(form, make(20, runs + 1))  # warm: fonts, stylesheets, templates
    best = {stage: float("inf") for stage in STAGES}
    for variant in range(1, runs + 1):
        data = make(rows, variant)
        gc.disable()  # as forms.render does (rendering.gcpause)
        marks = [time.process_time()]
        clean, errors = check(spec, data)
        assert not errors, errors[:3]
        marks.append(time.process_time())
        context = build_context(
            spec, clean, "kk", {ref.partition("@")[0]: registry.codelist(ref) for ref in spec.codelists}
        )
        meta = metadata(spec, clean, "kk")
        context["document"] = {**meta, "created": meta["created"].isoformat()}
        context["inline_css"] = False
        html = environment(registry.templates_dir).get_template(f"kk/{spec.id}/{spec.version}.html").render(context)
        marks.append(time.process_time())
        document = build(html, css)
        marks.append(time.process_time())
        size, margins = document.stylesheet.page_box(document.root.page)
        flow = Flow(document.root.page)
        flow_block(document.root, margins[3], size[0] - margins[1] - margins[3], flow, {})
        marks.append(time.process_time())
        pages = paginate(flow.bands, document.stylesheet, document.root.page)
        marks.append(time.process_time())
        write(pages, document.meta, document.lang, [], b"0" * 32)
        marks.append(time.process_time())
        del document, flow, pages
        gc.enable()
        gc.collect()
        for stage, start, end in zip(STAGES, marks, marks[1:]):
            best[stage] = min(best[stage], end - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--report-rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| document | " + " | ".join(STAGES) + " | sum |")
    print("|---" * (len(STAGES) + 2) + "|")
    for label, form, make, rows in (
        ("referral-journal", "referral-journal", journal, args.rows),
        ("adaptation-report", "adaptation-report", adaptation_report, args.report_rows),
    ):
        best = profile(form, make, rows, args.runs)
        total = sum(best.values())
        cells = " | ".join(f"{best[stage] * 1000:.0f} ms ({best[stage] / total:.0%})" for stage in STAGES)
        print(f"| {label}, {rows:,} rows | {cells} | {total * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
