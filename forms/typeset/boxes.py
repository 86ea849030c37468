"""HTML → a tree of styled boxes: blocks, inline text, tables (the subset our templates use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from .css import Style, Stylesheet, inline_declarations
from .errors import NotSupported
from .properties import compute
from .selectors import Siblings
from .text import FORCED


@dataclass(slots=True)
class Block:
    style: Style
    tag: str
    children: list = field(default_factory=list)  # Block | Inline | Table
    page: str = "auto"


@dataclass(slots=True)
class Inline:
    """An anonymous block holding a run of inline content."""

    style: Style
    items: list  # (Style, text)


class Cell:
    """A table cell: its style, and its content built when first asked for. A long table's rows are
    laid out one by one; each cell's content is built then (by whichever process lays the row out,
    ``parallel``) and can be let go once the row is laid out (``release``)."""

    __slots__ = ("style", "_content", "_source")

    def __init__(self, style: Style, content: Block | None = None, source: tuple | None = None):
        self.style = style
        self._content = content
        self._source = source  # (builder, element, path): how to build the content again

    @property
    def content(self) -> Block:
        if self._content is None:
            assert self._source is not None  # a cell is made with its content or how to build it
            builder, element, path = self._source
            self._content = builder.block(element, self.style, path, "auto")
        return self._content

    def release(self) -> None:
        """Forgets the built content (it is built again if asked for)."""
        if self._source is not None:
            self._content = None


@dataclass(slots=True)
class Row:
    style: Style
    cells: list


@dataclass
class Table:
    style: Style
    columns: list  # width per column: px, ("%", v) or "auto"
    header: list  # rows
    body: list
    page: str = "auto"


@dataclass
class Document:
    root: Block
    lang: str
    meta: dict
    stylesheet: Stylesheet
    headings: list = field(default_factory=list)  # (level, text, Block)


# lxml.html's parser, without its element classes: lxml.html finds each element's Python class with
# a call back into Python, a tenth of a long table's box building; nothing here needs their methods.
_PARSER = etree.HTMLParser()
_STRING = etree.XPath("string()")  # an element's text content, as lxml.html's text_content()
_CLASSES: dict[str, frozenset] = {}  # a class attribute's names, per distinct attribute (templates' own)


class Builder:
    def __init__(self, stylesheet: Stylesheet):
        self.sheet = stylesheet
        # Kept on the stylesheet, which is shared by every document with the same CSS.
        self._matched: dict = stylesheet.matched
        self._computed: dict = stylesheet.computed
        self.headings: list = []
        # (ids of the parent's path and style, the element's tag and attributes) -> (style, path, and
        # the parent's path and style, kept so that their ids stay theirs): see _style_alike.
        self._alike: dict = {}

    def siblings(self) -> Siblings | None:
        """A tracker of the previous siblings for the children of one element, if selectors need it."""
        needs = self.sheet.siblings
        return None if needs is None else Siblings(*needs)

    def style(self, element, path: tuple, parent: Style | None, siblings: Siblings | None = None):
        """The element's computed style and its path (see ``selectors``); ``siblings``: the tracker
        of its parent's children, which counts it."""
        tag = element.tag
        classes = element.get("class") or ""
        names = _CLASSES.get(classes)
        if names is None:
            if len(_CLASSES) > 1000:
                _CLASSES.clear()
            names = _CLASSES[classes] = frozenset(classes.split())
        key = (tag, names)
        path = path + ((siblings.entry(key) if siblings is not None else key),)
        declarations = self._matched.get(path)
        if declarations is None:
            declarations = self._matched[path] = tuple(self.sheet.matching(list(path)))
        inline = element.get("style")
        cache_key = (tag, id(declarations), inline, parent)  # the tuple lives in self._matched
        style = self._computed.get(cache_key)
        if style is None:
            extra = tuple(inline_declarations(inline)) if inline else ()
            style = compute(tag, list(declarations) + list(extra), parent)
            # One object per distinct style: dictionary keys then compare by identity.
            style = self._computed[cache_key] = self._computed.setdefault(("style", style.fields()), style)
        return style, path

    def _style_alike(self, element, path: tuple, parent: Style) -> tuple:
        """``style`` for an element without sibling selectors in the stylesheet: its style and path
        then follow from its parent's and its own tag and attributes, and a long table's rows and
        cells, alike, are styled once (the parent's path is the same object for all of them)."""
        key = (id(path), id(parent), element.tag, element.get("class"), element.get("style"))
        found = self._alike.get(key)
        if found is None:
            found = self._alike[key] = self.style(element, path, parent) + (path, parent)
        return found[0], found[1]

    def block(self, element, style: Style, path: tuple, page: str) -> Block:
        page = style.page if style.page != "auto" else page
        if style.display == "flex":
            raise NotSupported("flex layout")
        if not len(element):  # a leaf (most table cells): its own text is all it holds
            text = element.text
            children = [Inline(style, [(style, text)])] if text and text.strip(" \t\n\r\f") else []
            return Block(style, element.tag, children, page)
        box = Block(style, element.tag, page=page)
        pending: list = []

        def flush():
            if any(text.strip(" \t\n\r\f") or text == FORCED for _, text in pending):
                box.children.append(Inline(style, list(pending)))
            pending.clear()

        if element.text:
            pending.append((style, element.text))
        siblings = self.siblings()
        for child in element:
            if not isinstance(child.tag, str):  # comments, processing instructions
                if child.tail:
                    pending.append((style, child.tail))
                continue
            child_style, child_path = self.style(child, path, style, siblings)
            display = child_style.display
            if display == "none":
                pass
            elif display == "inline":
                self.inline(child, child_style, child_path, pending)
            elif display in ("block", "flex"):
                flush()
                built = self.block(child, child_style, child_path, page)
                box.children.append(built)
                if child.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    text = " ".join(_STRING(child).split())
                    self.headings.append((int(child.tag[1]), text, built))
            elif display == "table":
                flush()
                box.children.append(self.table(child, child_style, child_path, page))
            else:
                raise NotSupported(f"display {display} outside a table")
            if child.tail:
                pending.append((style, child.tail))
        flush()
        return box

    def inline(self, element, style: Style, path: tuple, out: list) -> None:
        if any(style.margin) or any(style.padding) or any(style.border) or style.transform:
            raise NotSupported("inline box with margin, padding, border or transform")
        if element.tag == "br":
            out.append((style, FORCED))
        if element.text:
            out.append((style, element.text))
        siblings = self.siblings()
        for child in element:
            if not isinstance(child.tag, str):
                if child.tail:
                    out.append((style, child.tail))
                continue
            child_style, child_path = self.style(child, path, style, siblings)
            if child_style.display != "inline":
                raise NotSupported("block inside an inline element")
            self.inline(child, child_style, child_path, out)
            if child.tail:
                out.append((style, child.tail))

    def table(self, element, style: Style, path: tuple, page: str) -> Table:
        page = style.page if style.page != "auto" else page
        if style.transform:
            raise NotSupported("a transformed table")
        columns: list = []
        header: list[Row] = []
        body: list[Row] = []
        siblings = self.siblings()
        for child in element:
            if not isinstance(child.tag, str) or child.tag is None:
                continue
            child_style, child_path = self.style(child, path, style, siblings)
            if child.tag == "colgroup":
                if child_style.width != "auto" or any(child_style.border):
                    raise NotSupported("column group width or border")
                cols = self.siblings()
                for col in child:
                    if isinstance(col.tag, str):
                        col_style, _ = self.style(col, child_path, child_style, cols)
                        if (col.get("span") or "1") != "1":
                            raise NotSupported("col span")
                        if any(col_style.border):
                            raise NotSupported("column borders")
                        columns.append(col_style.width)
            elif child.tag == "col":
                if any(child_style.border):
                    raise NotSupported("column borders")
                columns.append(child_style.width)
            elif child.tag in ("thead", "tbody"):
                if any(child_style.border) or child_style.transform:
                    raise NotSupported("row group borders or transform")
                rows = header if child_style.display == "table-header-group" else body
                row_siblings = self.siblings()
                for tr in child:
                    if isinstance(tr.tag, str):
                        rows.append(self.row(tr, child_path, child_style, row_siblings))
            elif child.tag == "tr":
                body.append(self.row(child, path, style, siblings, styled=(child_style, child_path)))
            else:
                raise NotSupported(f"<{child.tag}> in a table")
        return Table(style, columns, header, body, page)

    def row(self, element, path: tuple, parent: Style, siblings, styled=None) -> Row:
        if element.tag != "tr":
            raise NotSupported(f"<{element.tag}> in a row group")
        if styled is None:
            styled = (
                self.style(element, path, parent, siblings)
                if siblings is not None
                else self._style_alike(element, path, parent)
            )
        style, path = styled
        if any(style.border) or any(style.padding) or style.transform:
            raise NotSupported("row borders or transform")
        cells = []
        cell_siblings = self.siblings()
        for cell in element:
            tag = cell.tag
            if tag != "td" and tag != "th":
                if not isinstance(tag, str):
                    continue
                raise NotSupported("spanning or unknown cell")
            get = cell.get
            if (get("colspan") or "1") != "1" or (get("rowspan") or "1") != "1":
                raise NotSupported("spanning or unknown cell")
            cell_style, cell_path = (
                self.style(cell, path, style, cell_siblings)
                if cell_siblings is not None
                else self._style_alike(cell, path, style)
            )
            if cell_style.transform:
                raise NotSupported("a transformed table cell")
            cells.append(Cell(cell_style, source=(self, cell, cell_path)))
        return Row(style, cells)


def _imply_row_groups(root) -> None:
    """Rows written straight in a <table> go into a <tbody>, as the HTML parser WeasyPrint uses
    puts them (selectors and the inherited vertical-align then see the same tree)."""
    for table in root.iter("table"):
        group = None
        for child in list(table):
            if child.tag == "tr":
                if group is None:
                    group = table.makeelement("tbody", {})
                    child.addprevious(group)
                group.append(child)
            elif isinstance(child.tag, str):
                group = None


def build(html: str, layout_css: str) -> Document:
    root = etree.fromstring(html, _PARSER)
    if root is None:
        raise NotSupported("an empty document")
    _imply_row_groups(root)
    blocks = tuple(element.text or "" for element in root.iter("style"))
    stylesheet = cached_stylesheet(layout_css, blocks)
    meta = {"title": " ".join((root.findtext(".//title") or "").split())}
    for element in root.iter("meta"):
        if element.get("name"):
            meta[element.get("name")] = element.get("content") or ""
    builder = Builder(stylesheet)
    html_style, path = builder.style(root, (), None, builder.siblings())
    if any(html_style.margin) or any(html_style.padding) or any(html_style.border):
        raise NotSupported("html box with margin, padding or border")
    body = root.find("body")
    if body is None:
        raise NotSupported("no body")
    siblings = builder.siblings()
    for child in root:
        if child is body:
            break
        if isinstance(child.tag, str):
            builder.style(child, path, html_style, siblings)  # <head> is <body>'s previous sibling
    body_style, body_path = builder.style(body, path, html_style, siblings)
    document_root = builder.block(body, body_style, body_path, html_style.page)
    return Document(document_root, root.get("lang") or "", meta, stylesheet, builder.headings)


@lru_cache(maxsize=64)
def cached_stylesheet(layout_css: str, blocks: tuple[str, ...]) -> Stylesheet:
    """Parsed once per distinct CSS (a template's), with its selector matches and computed styles."""
    stylesheet = Stylesheet()
    stylesheet.add(layout_css)
    for block in blocks:
        stylesheet.add(block)
    return stylesheet
