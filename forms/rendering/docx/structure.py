"""Whether a DOCX part's rendered XML can be written as Jinja renders it.

docxtpl parses every rendered document (``fix_tables``, with a recovering parser), corrects table
grids whose rows have more or fewer cells than the grid, renumbers drawing ids, and serialises it
again: for a 4,000-row journal that parse and serialisation cost more than the render. They change
nothing when the template guarantees, whatever the data, that:

- the output is well formed: every ``{% for %}``/``{% if %}`` body either is whole elements and text
  (so repeating or dropping it keeps the XML balanced) or, for an inline ``{% if %}`` across runs,
  closes a run and reopens one like it, holding no paragraph, cell, row or table; every ``{{ }}`` is
  escaped text in element content or in an attribute value (autoescape, and no filter that returns
  markup); no block sits inside a tag;
- no table grid is corrected: no row has cells that come and go, no row has more cells than the
  grid, and a row present whatever the data fills the grid (``fix_tables`` would otherwise drop
  columns);
- there are no drawings (``wp:docPr``) to renumber.

This is checked once per template on a skeleton of its Jinja source: blocks become marker elements,
expressions a placeholder valid only in text and attribute values; the skeleton (every body once)
is parsed, and each body's tags are followed.
Characters docxtpl also post-processes (tabs, line breaks, braces, control characters) can come
from the data, so they are checked at every render (forms/rendering/docx/fast.py).
"""

from __future__ import annotations

import re

from jinja2 import Environment, TemplateSyntaxError
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
OPEN, MID, CLOSE = "nysan-open", "nysan-mid", "nysan-close"
BLOCKS = {"for": OPEN, "if": OPEN, "elif": MID, "else": MID, "endfor": CLOSE, "endif": CLOSE}
# Names whose use could put markup rather than escaped text into the output.
MARKUP = {"safe", "urlize", "xmlattr", "tojson", "Markup", "autoescape", "filter", "raw", "macro", "call"}
TAG = re.compile(r"<(/?)([^\s/>]+)[^>]*?(/?)>")
CROSSABLE = {"w:r", "w:t"}
STRUCTURE = {"w:p", "w:tc", "w:tr", "w:tbl", "w:body", "w:sectPr"}
PLACEHOLDER = "&amp;"  # text and attribute values may hold it; a tag name or attribute list may not


def keeps_structure(env: Environment, source: str) -> bool:
    """True when every rendering of ``source`` is well formed and docxtpl's table and drawing fixes
    would leave it as it is."""
    skeleton = _skeleton(env, source)
    if skeleton is None:
        return False
    try:
        root = etree.fromstring(skeleton.encode("utf-8"))
    except etree.XMLSyntaxError:
        return False
    if next(root.iter(DOC_PR), None) is not None:
        return False
    if root.nsmap.get("w") != W[1:-1]:  # docxtpl's patches and the checks here read "w:" tags
        return False
    return _bodies_balance(skeleton) and all(_grid_stays(table) for table in root.iter(W + "tbl"))


def _skeleton(env: Environment, source: str) -> str | None:
    out: list[str] = []
    block: list[str] | None = None
    try:
        tokens = list(env.lex(source))
    except TemplateSyntaxError:
        return None
    for _, kind, value in tokens:
        if kind in ("name", "string") and value.strip("'\"") in MARKUP:
            return None
        if kind == "data":
            out.append(value)
        elif kind == "variable_begin":
            out.append(PLACEHOLDER)
        elif kind == "block_begin":
            block = []
        elif kind in ("name", "operator") and block is not None:
            block.append(value)
        elif kind == "block_end":
            if block is None:  # never so: Jinja's lexer ends only a block it began
                return None
            if block[:1] == ["set"] and "=" in block:  # {% set x = ... %}: no body, no output
                block = None
                continue
            marker = BLOCKS.get(block[0]) if block else None
            if marker is None:
                return None
            out.append(f"<{marker}/>")
            block = None
        elif kind not in (
            "whitespace",
            "name",
            "operator",
            "string",
            "integer",
            "float",
            "variable_end",
            "comment_begin",
            "comment",
            "comment_end",
        ):
            return None
    return "".join(out)


class _Branch:
    """One body of a block, as the tags it leaves unclosed and the ones it closes that it did not open."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.closed: list[str] = []
        self.names: set[str] = set()

    def restores(self) -> bool:
        """Present, absent or repeated, the body keeps the XML balanced: it reopens what it closed.
        Only runs and their text may be closed and reopened (an inline {% if %} across runs), so
        no paragraph, cell, row or table comes or goes with it unseen by the table check."""
        if not self.closed:
            return not self.opened
        return self.opened == self.closed[::-1] and set(self.closed) <= CROSSABLE and not self.names & STRUCTURE


def _bodies_balance(skeleton: str) -> bool:
    """Every branch of every block restores the nesting it starts in (see _Branch.restores)."""
    branches = [_Branch()]
    for end, name, empty in TAG.findall(skeleton):
        branch = branches[-1]
        if name in (OPEN, MID, CLOSE):
            if name != OPEN:
                if len(branches) == 1 or not branch.restores():
                    return False
                branches.pop()
                branches[-1].names |= branch.names
            if name != CLOSE:
                branches.append(_Branch())
        elif empty:
            branch.names.add(name)
        elif not end:
            branch.opened.append(name)
            branch.names.add(name)
        elif branch.opened:
            if branch.opened.pop() != name:
                return False
        else:
            branch.closed.append(name)
    return len(branches) == 1


def _grid_stays(table) -> bool:
    """docxtpl's fix_tables would leave the grid of this table as it is, whichever rows render."""
    grid = table.find(W + "tblGrid")
    if grid is None or any(child.tag in (OPEN, MID, CLOSE) for child in grid):
        return False
    columns = len(grid.findall(W + "gridCol"))
    filled = False
    for row in table.iter(W + "tr"):  # fix_tables counts nested tables' rows too
        if any(child.tag in (OPEN, MID, CLOSE) for child in row):
            return False
        cells = row.findall(W + "tc")
        if len(cells) > columns:
            return False
        try:
            width = sum(_span(cell) for cell in cells)
        except ValueError:  # a span computed from the data
            return False
        filled = filled or (width >= columns and not _inside_block(row, table))
    return filled


def _span(cell) -> int:
    span = cell.find(f"{W}tcPr/{W}gridSpan")
    return 1 if span is None else int(span.get(W + "val"))


def _inside_block(node, stop) -> bool:
    """True when a block between ``stop`` and ``node`` may leave ``node`` out."""
    while node is not None and node is not stop:
        closed = 0
        for sibling in node.itersiblings(preceding=True):
            if sibling.tag == CLOSE:
                closed += 1
            elif sibling.tag in (OPEN, MID) and not closed:
                return True
            elif sibling.tag == OPEN:
                closed -= 1
        node = node.getparent()
    return False
