"""Nysan's own typesetter: the forms' HTML straight to PDF, many times faster than WeasyPrint.

It understands the HTML and CSS our templates use (blocks, inline text, tables in the collapsing
border model with fixed or automatic layout, rows broken across pages, named pages, break rules,
blocks turned by quarter turns) and nothing else: any other construct raises ``NotSupported`` and
the document is rendered by WeasyPrint (``forms.pdf``), which stays the reference. Line breaks use
the bundled fonts' own metrics and kerning and Pango's break opportunities; the tests compare the
pages, text, outline and every text box's place with WeasyPrint's for every registered form
(docs/typesetter.md).

Pipeline: ``boxes`` (HTML → styled boxes; ``css``, ``selectors``, ``properties``, ``transforms``)
→ ``layout``, ``tables``/``columns``/``intrinsic``/``rows``/``split`` (boxes → bands) → ``paginate``
(bands → pages) → ``pdfwrite`` (pages → bytes).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from . import parallel, pdfwrite, text
from .boxes import build
from .errors import NotSupported
from .layout import Flow, flow_block
from .paginate import paginate
from .pdfwrite import page_outline, write

__all__ = ["NotSupported", "render"]


_FETCHING = re.compile(r"<(?:link|img|object|embed|iframe|svg|video|audio|picture|input)\b", re.IGNORECASE)


@lru_cache(maxsize=16)
def _layout_css(path: str, mtime: float) -> str:
    return Path(path).read_text(encoding="utf-8")


def render(html: str, layout_css: Path | str | None, identifier: bytes, archival=None, processes: int = 1) -> bytes:
    """The PDF of ``html`` with the layout stylesheet, or ``NotSupported``; PDF/A with ``archival``
    (a ``forms.pdfa.Archival``). ``processes``: 2 lets a long table's first half be laid
    out and written by a forked child (``parallel``): the same bytes, sooner on two cores."""
    css = ""
    if layout_css is not None:
        path = Path(layout_css)
        css = _layout_css(str(path), path.stat().st_mtime)
    if _FETCHING.search(html):
        # WeasyPrint decides what such an element may load (its fetcher serves only our assets).
        raise NotSupported("an element that loads a resource")
    try:
        return _render(html, css, identifier, archival, parallel.available(processes))
    except parallel.ChildLost:  # the child died after taking its pages: all of them here
        return _render(html, css, identifier, archival, False)
    finally:
        text.forget_rows()
        pdfwrite.forget_rows()


def _render(html: str, css: str, identifier: bytes, archival, two_processes: bool) -> bytes:
    document = build(html, css)
    sheet, page_name, meta, lang = document.stylesheet, document.root.page, document.meta, document.lang
    size, margins = sheet.page_box(page_name)

    def check(pages) -> None:
        for page in pages:
            if page.size[0] != size[0] or page.margins[1] != margins[1] or page.margins[3] != margins[3]:
                raise NotSupported("pages of different widths")  # bands were laid out at one width

    headings = {id(block): (level, text) for level, text, block in document.headings}
    flow = Flow(page_name)
    handoff = flow.handoff = parallel.Handoff(sheet, page_name, check) if two_processes else None
    try:
        flow_block(document.root, margins[3], size[0] - margins[1] - margins[3], flow, headings)
        del document, headings  # the boxes: the bands hold all that is drawn (a long table's peak memory)
        before = handoff.before if handoff else None
        pages = paginate(flow.bands, sheet, page_name, handoff.resume if handoff and before else None)
        check(pages)
        outline = page_outline(pages, before.count if before else 0)
        return write(pages, meta, lang, outline, identifier, archival, before)
    finally:
        if handoff and handoff.before:
            handoff.before.discard()
