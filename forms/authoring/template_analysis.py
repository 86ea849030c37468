"""What a template uses and what it prints, read from its Jinja syntax tree (never by rendering).

HTML templates are parsed by the same Jinja environment that renders them. DOCX templates are read
the way docxtpl reads them (``get_undeclared_template_variables``: the body, headers and footers as
XML, then ``patch_xml``, which turns Word's split runs and ``{%p %}``/``{%tr %}`` tags into plain
Jinja), with one difference: a line break after every paragraph, so that a line of the parsed text
is a paragraph and a problem can be shown with the paragraph's own words.

"Printed" means the value reaches the output: it is inside ``{{ ... }}``, or it feeds a ``{% set %}``
or ``{% for %}`` variable that is printed. A field used only in an ``{% if %}`` is not printed, except
that a yes/no or choice field may be shown by what the ``{% if %}`` prints (☒ / ☐): ``shown_by_if``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from jinja2 import meta, nodes

TAG_RE = re.compile(r"<[^>]+>")
PARAGRAPH_END = "</w:p>"


@dataclass
class Analysis:
    uses: dict[str, int] = field(default_factory=dict)  # undeclared name -> first line using it
    printed: set[str] = field(default_factory=set)  # names whose value is printed
    printed_keys: set[str] = field(default_factory=set)  # attribute / key names read while printing
    shown_by_if: set[str] = field(default_factory=set)  # tested by an {% if %} that prints (☒ / ☐)
    passed_whole: set[str] = field(default_factory=set)  # given whole to a macro, which reads its parts
    attributes: list[tuple[str, str, int]] = field(default_factory=list)  # (name, attribute, line)
    where: Callable[..., str] = lambda line, near=None: ""  # line -> "in the paragraph «...»" (DOCX)


def analyse(tree: nodes.Template) -> Analysis:
    """Undeclared names (with lines), printed names and keys, and ``name.attribute`` uses."""
    declared = _declared_everywhere(tree)
    uses: dict[str, int] = {}
    for name in meta.find_undeclared_variables(tree) - declared:
        uses[name] = min((n.lineno for n in tree.find_all(nodes.Name) if n.name == name and n.ctx == "load"), default=1)
    printed, keys = _printed(tree)
    attributes = [
        (n.node.name, n.attr, n.lineno)
        for n in tree.find_all(nodes.Getattr)
        if isinstance(n.node, nodes.Name) and n.node.name in uses
    ]
    attributes += [
        (n.node.name, n.arg.value, n.lineno)
        for n in tree.find_all(nodes.Getitem)
        if isinstance(n.node, nodes.Name)
        and n.node.name in uses
        and isinstance(n.arg, nodes.Const)
        and isinstance(n.arg.value, str)
    ]
    shown_by_if = set()
    for node in tree.find_all(nodes.If):
        if any(True for branch in (*node.body, *node.elif_, *node.else_) for _ in _outputs(branch)):
            shown_by_if |= _loaded(node.test)[0]
    passed_whole = {
        arg.name
        for call in tree.find_all(nodes.Call)
        for arg in (*call.args, *(k.value for k in call.kwargs))
        if isinstance(arg, nodes.Name)
    }
    return Analysis(
        uses=uses,
        printed=printed,
        printed_keys=keys,
        shown_by_if=shown_by_if,
        passed_whole=passed_whole,
        attributes=attributes,
    )


def _outputs(node: nodes.Node):
    """Output with text or values in a branch (the branch prints something)."""
    candidates = [node] if isinstance(node, nodes.Output) else list(node.find_all(nodes.Output))
    for output in candidates:
        if any(not isinstance(n, nodes.TemplateData) or n.data.strip() for n in output.nodes):
            yield output


def _declared_everywhere(tree: nodes.Template) -> set[str]:
    # Inside blocks of a child template, Jinja reports imported macros and top-level sets as
    # undeclared (blocks are compiled apart from the top level); they are the template's own names.
    names = {n.name for n in tree.find_all(nodes.Macro)}
    for node in tree.find_all(nodes.FromImport):
        names.update((item[1] or item[0]) if isinstance(item, tuple) else item for item in node.names)
    names.update(n.target for n in tree.find_all(nodes.Import))
    # find_all of several classes is typed as their common base, Stmt, which has no target
    for assignment in cast(
        "Iterator[nodes.Assign | nodes.AssignBlock]", tree.find_all((nodes.Assign, nodes.AssignBlock))
    ):
        names.update(_stored(assignment.target))
    return names


def _stored(target: nodes.Node) -> set[str]:
    if isinstance(target, nodes.Name):
        return {target.name}
    return {n.name for n in target.find_all(nodes.Name)} if isinstance(target, nodes.Tuple) else set()


def _loaded(expr: nodes.Node) -> tuple[set[str], set[str]]:
    """Names read by an expression, and the attribute / constant key names it reads."""
    found = [expr, *expr.find_all((nodes.Name, nodes.Getattr, nodes.Getitem))]
    names = {n.name for n in found if isinstance(n, nodes.Name) and n.ctx == "load"}
    keys = {n.attr for n in found if isinstance(n, nodes.Getattr)}
    keys |= {
        n.arg.value
        for n in found
        if isinstance(n, nodes.Getitem) and isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str)
    }
    return names, keys


def _printed(tree: nodes.Template) -> tuple[set[str], set[str]]:
    sources: list[nodes.Node] = []
    for output in tree.find_all(nodes.Output):
        sources += [n for n in output.nodes if not isinstance(n, nodes.TemplateData)]
    for block in tree.find_all(nodes.CallBlock):  # {% call m(x) %}: the macro prints its arguments
        sources.append(block.call)
    # (variables assigned, the expression they come from): printed if a variable is printed.
    flows = [(_stored(n.target), n.node) for n in tree.find_all(nodes.Assign)]
    flows += [(_stored(n.target), n.iter) for n in tree.find_all(nodes.For)]
    for node in tree.find_all(nodes.With):
        flows += [(_stored(t), v) for t, v in zip(node.targets, node.values)]
    printed: set[str] = set()
    keys: set[str] = set()
    for expr in sources:
        names, found = _loaded(expr)
        printed |= names
        keys |= found
    pending = list(flows)
    while True:
        ready = [flow for flow in pending if flow[0] & printed]
        if not ready:
            return printed, keys
        for flow in ready:
            pending.remove(flow)
            names, found = _loaded(flow[1])
            printed |= names
            keys |= found


# --- DOCX ----------------------------------------------------------------------------------------


def docx_source(path: Path) -> str:
    """The Jinja text of a DOCX template as docxtpl renders it, one paragraph per line."""
    from docx import Document
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    template = DocxTemplate(path)
    document = Document(str(path))
    parts = [template.xml_to_string(document.element.body)]
    for rel in document.part.rels.values():
        if rel.reltype in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI) and rel.target_part.blob:
            parts.append(template.xml_to_string(parse_xml(rel.target_part.blob)))
    return "".join(template.patch_xml(xml) for xml in parts).replace(PARAGRAPH_END, PARAGRAPH_END + "\n")


def paragraph_locator(source: str) -> Callable[..., str]:
    """line -> 'in the paragraph «...»', the words around ``near`` when the paragraph is long."""
    lines = source.split("\n")

    def where(line: int | None, near: str | None = None) -> str:
        if not line or line > len(lines):
            return ""
        text = " ".join(TAG_RE.sub("", lines[line - 1]).split())
        if len(text) > 80:
            start = max(0, text.find(near) - 30) if near and near in text else 0
            text = ("..." if start else "") + text[start : start + 77] + "..."
        return f"in the paragraph «{text}»" if text else ""

    return where
