"""Computed styles: the cascaded declarations of an element turned into a ``Style``, for the
properties and values the typesetter supports (anything else raises ``NotSupported``)."""

from __future__ import annotations

from dataclasses import replace

import tinycss2

from .css import (
    BLOCKS,
    HIDDEN,
    IGNORED,
    INHERITED,
    INLINES,
    SIDES,
    TABLES,
    Style,
    _border,
    _four,
    _length,
    _tokens,
)
from .errors import NotSupported
from .transforms import parse_origin, parse_transform

KEYWORDS = {
    "text-align": ("text_align", {"left", "right", "center", "justify", "start"}),
    "white-space": ("white_space", {"normal", "nowrap"}),
    "overflow-wrap": ("overflow_wrap", {"normal", "break-word", "anywhere"}),
    "word-wrap": ("overflow_wrap", {"normal", "break-word"}),
    "vertical-align": ("vertical_align", {"top", "middle", "bottom", "baseline"}),
    "break-before": ("break_before", {"auto", "avoid", "page"}),
    "break-after": ("break_after", {"auto", "avoid", "page"}),
    "break-inside": ("break_inside", {"auto", "avoid"}),
    "page-break-before": ("break_before", {"auto", "avoid"}),
    "page-break-after": ("break_after", {"auto", "avoid"}),
    "page-break-inside": ("break_inside", {"auto", "avoid"}),
    "table-layout": ("table_layout", {"auto", "fixed"}),
    "border-collapse": ("border_collapse", {"collapse", "separate"}),
    "justify-content": ("justify_content", {"normal", "space-between", "flex-start"}),
    "box-sizing": ("box_sizing", {"content-box", "border-box"}),
}


def compute(tag: str, declarations: list, parent: Style | None) -> Style:
    """The computed style of an element from its cascaded declarations and its parent's style."""
    base = parent or Style()
    values = {name: getattr(base, name) for name in INHERITED}
    if tag in HIDDEN:
        values["display"] = "none"
    elif tag in BLOCKS:
        values["display"] = "block"
    elif tag in TABLES:
        values["display"] = TABLES[tag]
    elif tag in INLINES:
        values["display"] = "inline"
    else:
        raise NotSupported(f"<{tag}>")
    if parent is not None and parent.underline:
        values["underline"] = True  # decorations propagate to the text inside
    if tag in ("thead", "tbody", "tfoot", "tr", "td", "th") and parent is not None:
        values["vertical_align"] = parent.vertical_align
    # font-size first: em lengths in the same rule set depend on it.
    for name, value in declarations:
        if name == "font-size":
            values["font_size"] = _font_size(_tokens(value), base.font_size)
    font_size = values["font_size"]
    for name, value in declarations:
        tokens = _tokens(value)
        _apply(values, name, tokens, font_size, base)
    if values.get("vertical_align") == "baseline" and tag in ("td", "th"):
        values["vertical_align"] = "baseline"
    return replace(Style(), **values)


def _font_size(tokens, parent_size: float) -> float:
    token = tokens[0]
    if len(tokens) != 1:
        raise NotSupported("font-size")
    if token.type == "percentage":
        return parent_size * token.value / 100
    if token.type == "ident" and token.lower_value == "smaller":
        return parent_size / 1.2
    return _length(token, parent_size, percent_ok=False)


def _apply(values: dict, name: str, tokens: list, font_size: float, parent: Style) -> None:
    if name == "font-size" or name in IGNORED:
        return
    if not tokens:
        raise NotSupported(f"empty {name}")
    first = tokens[0]
    keyword = first.lower_value if first.type == "ident" else None
    if keyword == "inherit":
        attribute = name.replace("-", "_")
        if not hasattr(parent, attribute):
            raise NotSupported(f"inherit of {name}")
        values[attribute] = getattr(parent, attribute)
        return
    if name in KEYWORDS:
        attribute, allowed = KEYWORDS[name]
        if keyword not in allowed or len(tokens) != 1:
            raise NotSupported(f"{name}: {tinycss2.serialize(tokens)}")
        values[attribute] = "left" if keyword == "start" else keyword
    elif name == "display":
        if keyword not in ("block", "none", "flex", "inline", *TABLES.values()):
            raise NotSupported(f"display: {keyword}")
        values["display"] = keyword
    elif name == "font-weight":
        if first.type == "number":
            values["bold"] = first.value >= 600
        elif keyword in ("bold", "bolder", "normal"):
            values["bold"] = keyword != "normal"
        else:
            raise NotSupported("font-weight")
    elif name == "font-style":
        if keyword not in ("italic", "oblique", "normal"):
            raise NotSupported("font-style")
        values["italic"] = keyword != "normal"
    elif name == "line-height":
        if first.type == "number":
            values["line_height"] = ("factor", first.value)
        elif keyword == "normal":
            raise NotSupported("line-height: normal")
        else:
            length = _length(first, font_size)
            if isinstance(length, tuple):
                values["line_height"] = ("factor", length[1] / 100)
            else:
                values["line_height"] = ("px", length)
    elif name == "text-decoration" or name == "text-decoration-line":
        if keyword == "underline" and len(tokens) == 1:
            values["underline"] = True
        elif keyword != "none":
            raise NotSupported("text-decoration")
    elif name == "text-indent":
        values["text_indent"] = _length(first, font_size)
    elif name in ("margin", "padding"):
        values[name] = _four(tokens, font_size)
    elif name.startswith(("margin-", "padding-")) and name.split("-", 1)[1] in SIDES:
        kind, side = name.split("-", 1)
        current = list(values.get(kind, getattr(Style(), kind)))
        current[SIDES.index(side)] = _length(first, font_size)
        values[kind] = tuple(current)
    elif name == "border":
        values["border"] = (_border(tokens, font_size),) * 4
    elif name.startswith("border-") and name[7:] in SIDES:
        current = list(values.get("border", (0.0,) * 4))
        current[SIDES.index(name[7:])] = _border(tokens, font_size)
        values["border"] = tuple(current)
    elif name in ("width", "height", "min-height"):
        values[name.replace("-", "_")] = "auto" if keyword == "auto" else _length(first, font_size)
    elif name == "page":
        values["page"] = keyword or "auto"
    elif name == "transform":
        values["transform"] = parse_transform(tokens, font_size)
    elif name == "transform-origin":
        values["transform_origin"] = parse_origin(tokens, font_size)
    else:
        raise NotSupported(f"property {name}")
