"""A worker process of ``pdfchunks``: parses and styles a chunk ahead of time, lays it out resuming
where the previous chunk stopped, hands on where it stopped, then draws and writes its pages.

The resume goes through WeasyPrint's own page maker: its first entry, which for a whole document
says "start at the beginning", is replaced by the entry WeasyPrint itself computed for the dropped
page of the previous chunk (where to resume in the table, page side, page state). This patches one
function of WeasyPrint, in these worker processes only.
"""
from __future__ import annotations

import traceback

import weasyprint.layout as _layout
from weasyprint import DEFAULT_OPTIONS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, DocumentMetadata, Page
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata

from forms.rendering import pdf

_start: tuple | None = None
_initialize_page_maker = _layout.initialize_page_maker


def _initialize_resuming(context, root_box):
    _initialize_page_maker(context, root_box)
    if _start is not None:
        context.page_maker[0] = (*_start, context.page_maker[0][4])


_layout.initialize_page_maker = _initialize_resuming


class Prepared:
    """A chunk parsed, styled and turned into boxes, waiting for the row to resume at."""

    def __init__(self, html_string: str, layout_css: str | None):
        fonts = pdf._fonts()
        self.layout_css = layout_css
        self.html = HTML(string=html_string, base_url=pdf.ASSETS_URL, url_fetcher=fonts.fetcher)
        self.options = {**DEFAULT_OPTIONS, "stylesheets": pdf._stylesheets(layout_css)}
        self.counter_style = CounterStyle()
        self.context = Document._build_layout_context(self.html, fonts.config, self.counter_style, {}, self.options)
        self.root = build_formatting_structure(
            self.html.etree_element, self.context.style_for, self.context.get_image_from_uri,
            self.html.base_url, self.context.target_collector, self.counter_style, self.context.footnotes)

    def lay_out(self, state: dict | None) -> tuple[list[Page], list]:
        global _start
        _start = None if state is None else (_resume_at(state), state["next_page"], state["right_page"],
                                              state["page_state"])
        try:
            pages = [Page(box) for box in _layout.layout_document(self.html, self.root, self.context)]
        finally:
            _start = None
        return pages, self.context.page_maker

    def write(self, pages: list[Page]) -> bytes:
        document = Document(pages, DocumentMetadata(**get_html_metadata(self.html)), self.html.url_fetcher,
                            pdf._fonts().config, {}, self.options["output_intent"])
        document._html = self.html
        return document.write_pdf(pdf_identifier=b"nysan-chunk")


def _resume_at(state: dict) -> dict:
    resume: dict = {state["row"]: None}
    for key in reversed(state["path"]):
        resume = {key: resume}
    return resume


def resume_state(entry: tuple) -> dict:
    """WeasyPrint's page-maker entry for a page that starts at a table row, as plain data."""
    resume_at, next_page, right_page, page_state, _ = entry
    path, node = [], resume_at
    while isinstance(node, dict) and len(node) == 1:
        (key, node), = node.items()
        if node is None:
            return {"row": key, "path": path, "next_page": next_page, "right_page": right_page,
                    "page_state": page_state}
        path.append(key)
    raise ValueError("the page does not start at a table row (a row taller than a page?)")


def main(fd: int) -> None:
    """Entry point of a worker process started by ``pdfchunks`` with its end of a socket pair."""
    from multiprocessing.connection import Connection

    conn = Connection(fd)
    pdf.plain_html_to_pdf("<p>Nysan</p>")  # fonts, Pango and WeasyPrint's caches, before the first chunk
    serve(conn)


def serve(conn) -> None:
    """Answer the parent's messages until it says stop or goes away."""
    prepared: dict[int, Prepared] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if message[0] == "stop":
                return
            if message[0] == "prepare":
                _, k, html, css = message
                prepared[k] = Prepared(html, css)
            elif message[0] == "layout":
                _, k, state, fresh, last = message
                chunk = prepared.pop(k)
                if fresh:  # the previous chunk stopped before this one's first row: parse it again
                    chunk = Prepared(fresh, chunk.layout_css)
                pages, maker = chunk.lay_out(state)
                if not last:
                    if len(pages) < 2:
                        raise ValueError("a chunk filled less than one page")
                    conn.send(("resume", k, resume_state(maker[len(pages) - 1])))
                    pages = pages[:-1]
                conn.send(("pdf", k, chunk.write(pages), None))
        except Exception:  # noqa: BLE001 - the parent renders in one process instead
            prepared.clear()
            try:
                conn.send(("error", traceback.format_exc(limit=3)))
            except OSError:
                return
