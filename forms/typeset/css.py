"""The CSS the typesetter understands: simple selectors (``selectors``), a fixed set of properties
(``properties`` computes them).

Anything else (pseudo-classes, attribute selectors, @media, unknown properties or values) raises
``NotSupported`` so the document goes to WeasyPrint. Lengths are CSS px (96 per inch), as in
WeasyPrint; percentages stay ``("%", value)`` until the containing block is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tinycss2

from . import selectors
from .errors import NotSupported

UNITS = {"px": 1.0, "pt": 4 / 3, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, "pc": 16.0}
PAGE_SIZES = {"a4": (793.7007874015749, 1122.5196850393702)}
SIDES = ("top", "right", "bottom", "left")
INHERITED = ("font_size", "bold", "italic", "text_align", "line_height", "white_space", "overflow_wrap", "text_indent")
IGNORED = {"font-family", "color", "overflow", "orphans", "widows", "font-kerning", "quotes"}
BLOCKS = {"html", "body", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer"}
INLINES = {"span", "b", "strong", "i", "em", "u", "br", "a", "small"}
TABLES = {
    "table": "table",
    "thead": "table-header-group",
    "tbody": "table-row-group",
    "tfoot": "table-footer-group",
    "tr": "table-row",
    "td": "table-cell",
    "th": "table-cell",
    "colgroup": "table-column-group",
    "col": "table-column",
}
HIDDEN = {"head", "style", "title", "meta", "link", "script", "template"}


@dataclass(frozen=True, eq=False)
class Style:
    display: str = "inline"
    font_size: float = 16.0
    bold: bool = False
    italic: bool = False
    text_align: str = "left"
    line_height: tuple = ("normal", 0.0)
    white_space: str = "normal"
    overflow_wrap: str = "normal"
    text_indent: object = 0.0
    underline: bool = False
    margin: tuple = (0.0, 0.0, 0.0, 0.0)
    padding: tuple = (0.0, 0.0, 0.0, 0.0)
    border: tuple = (0.0, 0.0, 0.0, 0.0)
    width: object = "auto"
    height: object = "auto"
    min_height: object = 0.0
    vertical_align: str = "baseline"
    break_before: str = "auto"
    break_after: str = "auto"
    break_inside: str = "auto"
    page: str = "auto"
    table_layout: str = "auto"
    border_collapse: str = "separate"
    justify_content: str = "normal"
    box_sizing: str = "content-box"
    transform: tuple = ()  # (("rotate", radians) | ("translate", (x, y)), ...), see properties
    transform_origin: tuple = (("%", 50.0), ("%", 50.0))

    def fields(self) -> tuple:
        """The values of every property: styles are interned by them (``boxes.Builder.style``), one
        object per distinct style, so that elsewhere a style is compared and hashed by identity
        (in C: styles are dictionary keys on every line)."""
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)

    def line_px(self) -> float:
        kind, value = self.line_height
        if kind == "normal":
            raise NotSupported("line-height: normal")
        return value * self.font_size if kind == "factor" else value


# WeasyPrint's user-agent stylesheet, for the elements the typesetter accepts.
UA = """
html, body, div, p, h1, h2, h3, h4, h5, h6, section, header, footer { display: block }
body { margin: 8px }
p { margin: 1em 0 }
h1 { font-size: 2em; margin: .67em 0; font-weight: bold }
h2 { font-size: 1.5em; margin: .83em 0; font-weight: bold }
h3 { font-size: 1.17em; margin: 1em 0; font-weight: bold }
h1, h2, h3, h4, h5, h6 { break-after: avoid; break-inside: avoid }
b, strong, th { font-weight: bold }
i, em { font-style: italic }
u { text-decoration: underline }
small { font-size: smaller }
table { display: table; border-collapse: separate; box-sizing: border-box; text-indent: 0 }
thead { display: table-header-group; vertical-align: middle }
tbody { display: table-row-group; vertical-align: middle }
tfoot { display: table-footer-group; vertical-align: middle }
tr { display: table-row; vertical-align: inherit }
td, th { display: table-cell; padding: 1px; vertical-align: inherit }
colgroup { display: table-column-group }
col { display: table-column }
"""


@dataclass
class Rule:
    selector: list  # compounds right to left: [(tag, classes, combinator-to-the-left)], see selectors
    specificity: tuple
    order: int
    declarations: list = field(default_factory=list)


class Stylesheet:
    """Rules from the UA sheet, the layout sheet and the document's <style> blocks, in order."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.pages: dict[str, list] = {}
        self.matched: dict = {}  # element path -> declarations (boxes.Builder fills these)
        self.computed: dict = {}  # (tag, declarations, inline style, parent style) -> Style
        self._order = 0
        # Previous siblings a path entry names (selectors.Siblings), None without sibling combinators.
        self.siblings: tuple[int, bool] | None = None
        self.add(UA, user_agent=True)

    def add(self, text: str, user_agent: bool = False) -> None:
        for node in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if node.type == "error":
                raise NotSupported(f"CSS error: {node.message}")
            if node.type == "at-rule":
                self._at_rule(node)
                continue
            declarations = _declarations(node.content)
            prelude = tinycss2.serialize(node.prelude).strip()
            for selector in prelude.split(","):
                compounds, specificity = selectors.parse(selector)
                if any(compound[2] in selectors.SIBLING for compound in compounds):
                    depth, far = selectors.sibling_needs(compounds)
                    known = self.siblings or (0, False)
                    self.siblings = (max(known[0], depth), known[1] or far)
                self._order += 1
                self.rules.append(Rule(compounds, (0 if user_agent else 1, *specificity), self._order, declarations))

    def _at_rule(self, node) -> None:
        keyword = node.lower_at_keyword
        if keyword == "font-face":
            return  # the typesetter uses the bundled faces, as the @font-face rules do
        if keyword != "page" or node.content is None:
            raise NotSupported(f"@{keyword}")
        name = tinycss2.serialize(node.prelude).strip() or "auto"
        if not re.fullmatch(r"[\w-]+", name):
            raise NotSupported(f"@page {name}")
        declarations = []
        for item in tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True):
            if item.type == "at-rule":
                raise NotSupported("page margin boxes")
            if item.type == "declaration":
                declarations.append((item.lower_name, tuple(item.value)))
            elif item.type == "error":
                raise NotSupported("CSS error in @page")
        self.pages.setdefault(name, []).extend(declarations)

    def matching(self, path: list[tuple[str, frozenset]]) -> list:
        """Declarations for the last element of ``path`` (tag, classes), in cascade order."""
        found = [rule for rule in self.rules if selectors.matches(rule.selector, path)]
        found.sort(key=lambda rule: (rule.specificity, rule.order))
        return [declaration for rule in found for declaration in rule.declarations]

    def page_box(self, name: str) -> tuple[tuple[float, float], tuple[float, ...]]:
        """Page size and margins (px) of the named page, the default page's rules applied first."""
        size, margins = PAGE_SIZES["a4"], [75.59055118110237] * 4  # WeasyPrint's default: 75px
        for page in ("auto", name) if name != "auto" else ("auto",):
            for prop, value in self.pages.get(page, []):
                tokens = _tokens(value)
                if prop == "size":
                    size = _page_size(tokens)
                elif prop == "margin":
                    margins = list(_four(tokens, 16.0))
                elif prop.startswith("margin-") and prop[7:] in SIDES:
                    margins[SIDES.index(prop[7:])] = _length(tokens[0], 16.0)
                else:
                    raise NotSupported(f"@page {prop}")
        return size, tuple(margins)


def _declarations(content) -> list:
    out = []
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            if item.important:
                raise NotSupported("!important")
            out.append((item.lower_name, tuple(item.value)))
        elif item.type == "error" or item.type == "at-rule" or item.type == "qualified-rule":
            raise NotSupported("nested or invalid CSS")
    return out


def inline_declarations(text: str) -> list:
    return _declarations(tinycss2.parse_component_value_list(text))


def _tokens(value) -> list:
    return [token for token in value if token.type not in ("whitespace", "comment")]


def _length(token, font_size: float, percent_ok: bool = True):
    if token.type == "dimension" and token.lower_unit in UNITS:
        return token.value * UNITS[token.lower_unit]
    if token.type == "dimension" and token.lower_unit == "em":
        return token.value * font_size
    if token.type == "number" and token.value == 0:
        return 0.0
    if token.type == "percentage" and percent_ok:
        return ("%", token.value)
    raise NotSupported(f"length {tinycss2.serialize([token])}")


def _four(tokens, font_size: float) -> tuple:
    values = [_length(token, font_size) for token in tokens]
    if not 1 <= len(values) <= 4:
        raise NotSupported("shorthand")
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    left = values[3] if len(values) > 3 else right
    return top, right, bottom, left


def _page_size(tokens) -> tuple[float, float]:
    words = [token.lower_value for token in tokens if token.type == "ident"]
    if len(tokens) == len(words) and words and words[0] in PAGE_SIZES:
        width, height = PAGE_SIZES[words[0]]
        if words[1:] == ["landscape"]:
            return height, width
        if words[1:] in ([], ["portrait"]):
            return width, height
    raise NotSupported("page size")


def _border(tokens, font_size: float) -> float:
    width, style = 3.0, "none"  # 'medium'
    for token in tokens:
        if token.type == "ident" and token.lower_value in ("solid", "none", "hidden"):
            style = token.lower_value
        elif token.type == "ident" and token.lower_value in ("black", "currentcolor", "#000"):
            pass
        elif token.type == "hash" and token.value.lower() in ("000", "000000"):
            pass
        elif token.type == "ident" and token.lower_value == "thin":
            width = 1.0
        else:
            width = _length(token, font_size, percent_ok=False)
    return width if style == "solid" else 0.0
