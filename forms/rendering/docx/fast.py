"""DOCX rendered as docxtpl renders it, with everything that does not depend on the data done once.

docxtpl, at every render, unzips the template, parses every XML part, patches and compiles the
document's Jinja, renders it, parses the result, and serialises and deflates every part again
(styles alone are ~800 kB). Here, once per template (cached by path and modification time):

- the package as python-docx saves it: every part's bytes in its order, the unchanging ones
  deflated (forms/rendering/docx/package.py);
- document.xml, headers and footers patched by docxtpl's own ``patch_xml`` and compiled by the
  same sandboxed, autoescaped environment, with docxtpl's line break before each ``<w:p`` (there
  for its error messages; it removes them after rendering) taken out of the compiled text;
- whether the document's rendered XML can be written as it is (forms/rendering/docx/structure.py).

At each render only those parts are rendered, the core properties set, and the ZIP written. When
the data brings what docxtpl post-processes (tabs, line breaks, its escaped braces, control
characters), or the template is not known to keep its structure, docxtpl's own post-processing runs
on the rendered XML (listing, table fixes, drawing ids, parse and serialise), so the document is the
reference path's.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import docx
import markupsafe
from docxtpl import DocxTemplate
from jinja2 import Template, nodes
from lxml import etree

from forms.internals import CONTENT_TYPE as CT
from forms.internals import CoreProperties, escape_str, parse_xml, serialize_part_xml, write_package, xml_element
from forms.rendering.docx import carried
from forms.rendering.docx.package import RENDERED_LEVEL, Finish, archive, entry, inflate
from forms.rendering.docx.properties import set_core_properties
from forms.rendering.docx.structure import keeps_structure
from forms.rendering.templating import docx_environment

DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"  # python-docx's
# Characters docxtpl post-processes after rendering: line breaks, tabs, paragraph and page breaks
# (resolve_listing), and braces for its escaped {_{ }_} {_% %_}. \r because parsing turns it into \n.
POST_PROCESSED = ("\n", "\t", "\r", "\a", "\f", "{", "}")
CONTROL = bytes(range(32))  # not XML characters (tab, line feed and return are caught above)
NON_CHARACTERS = ("\ufffe", "\uffff")
STATIC_LEVEL = 9  # deflated once per template

_DOCXTPL = DocxTemplate(None)  # patch_xml and resolve_listing use no template state


def _escape(value):
    """markupsafe.escape as the compiled part's output escaping: the same text, as a plain str for a
    str (building a Markup for each cell cost a fifth of a long table's render). Every use of it
    in Jinja's compiled code is joined into text (yielded, or concatenated and then wrapped in Markup
    by Jinja itself), so the type makes no difference."""
    return escape_str(value) if type(value) is str else markupsafe.escape(value)


class Unsupported(Exception):
    """A template this path does not render (footnotes): the reference path renders it."""


@dataclass(frozen=True)
class _Part:
    name: str
    template: Template
    main: bool  # the main document, whose tables docxtpl fixes; else a header or footer
    as_rendered: bool  # its rendered XML can be written as it is


class Package:
    """A DOCX template ready to render."""

    def __init__(self, data: bytes):
        env = docx_environment()
        document = docx.Document(io.BytesIO(data))
        core = document.core_properties  # made here when the template has none, as on the reference path
        _as_docxtpl_renders(core)
        self.data_name = carried.add_part(document, b"")  # filled at each render
        package = document.part.package
        parts = list(package.iter_parts())
        if any(part.content_type == CT.WML_FOOTNOTES for part in parts):
            raise Unsupported("footnotes")
        recorder = _Recorder()
        write_package(recorder, package, parts)
        self.order = [name for name, _ in recorder.entries]
        self.core_name = next(p.partname.membername for p in parts if p.content_type == CT.OPC_CORE_PROPERTIES)
        self.core_xml = serialize_part_xml(xml_element(core))
        main = document.part
        self.parts = [_compile(env, main.partname.membername, xml_element(main), main=True)]
        for rel in main.rels.values():  # the headers and footers docxtpl renders
            if rel.reltype in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI) and rel.target_part.blob:
                name = rel.target_part.partname.membername
                if all(part.name != name for part in self.parts):
                    self.parts.append(_compile(env, name, xml_element(rel.target_part), main=False))
        rendered = {part.name for part in self.parts} | {self.core_name, self.data_name}
        self.static = {name: entry(name, blob, STATIC_LEVEL) for name, blob in recorder.entries if name not in rendered}

    def render(self, context: dict, metadata: dict, finish: Finish | None = None) -> bytes:
        """``finish`` changes parts before they are deflated (the verification mark of a registered
        document: its document.xml is then deflated once, not inflated and deflated again)."""
        rendered = {part.name: _render(part, context) for part in self.parts}
        rendered[self.core_name] = self._core(metadata)
        rendered[self.data_name] = carried.item_xml(metadata)
        if finish is not None:

            def read(name: str) -> bytes:
                return rendered[name] if name in rendered else inflate(self.static[name])

            rendered.update(finish(read, list(self.order)))
        entries = {name: entry(name, blob, RENDERED_LEVEL) for name, blob in rendered.items()}
        order = self.order + [name for name in rendered if name not in self.order]  # added parts last
        return archive([entries.get(name) or self.static[name] for name in order])

    def _core(self, metadata: dict) -> bytes:
        element = parse_xml(self.core_xml)
        set_core_properties(CoreProperties(element), metadata)
        return serialize_part_xml(element)


# The core properties DocxTemplate.render_properties renders through Jinja (all are then set again).
DOCXTPL_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _as_docxtpl_renders(core: CoreProperties) -> None:
    """Set the properties docxtpl renders, in its order, so that their elements come in the same
    order; their values have no Jinja (else the reference path renders them)."""
    for name in DOCXTPL_PROPERTIES:
        value = getattr(core, name)
        if any(mark in value for mark in ("{{", "{%", "{#")):
            raise Unsupported("Jinja in core properties")
        setattr(core, name, value)


class _Recorder:
    """python-docx's package writer interface, keeping each member's name and bytes in order."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.entries.append((pack_uri.membername, blob))


def _compile(env, name: str, element, main: bool) -> _Part:
    """docxtpl's patched source of a part (render_xml_part puts a line break before each paragraph),
    compiled with those line breaks taken out of the template's own text: docxtpl removes them from
    the output, and after the lexer has seen them (trim_blocks) they are only text."""
    source = _DOCXTPL.patch_xml(etree.tostring(element, encoding="unicode"))
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
    tree = env.parse(source)
    for node in tree.find_all(nodes.TemplateData):
        node.data = node.data.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    template = env.template_class.from_code(env, env.compile(tree), env.make_globals(None), None)
    namespace = template.root_render_func.__globals__  # the compiled module's, this template's alone
    if escape_str is not None and namespace.get("escape") is markupsafe.escape:
        namespace["escape"] = _escape
    return _Part(name, template, main, main and keeps_structure(env, source))


def _render(part: _Part, context: dict) -> bytes:
    xml = part.template.render(context)
    if part.as_rendered and not any(char in xml for char in POST_PROCESSED + NON_CHARACTERS):
        data = xml.encode("utf-8")
        if len(data.translate(None, CONTROL)) == len(data):
            return DECLARATION + data
    return _post_process(xml, part.main)


def _post_process(xml: str, main: bool) -> bytes:
    """What DocxTemplate.render does to a part after Jinja, and python-docx when it saves it."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    xml = _DOCXTPL.resolve_listing(xml)
    if not main:  # a header or footer: XmlPart.load parses it
        return serialize_part_xml(parse_xml(xml.encode("utf-8")))
    fixer = DocxTemplate(None)
    fixer.docx_ids_index = 1000  # as render_init sets it
    tree = fixer.fix_tables(xml)
    fixer.fix_docpr_ids(tree)
    return serialize_part_xml(tree)


@lru_cache(maxsize=64)
def _package(path: Path, mtime: float) -> Package | Unsupported:
    try:
        return Package(path.read_bytes())
    except Unsupported as err:  # kept, so that the template is not read again at every render
        return err


def render(template: Path, context: dict, metadata: dict, finish: Finish | None = None) -> bytes:
    package = _package(template, template.stat().st_mtime)
    if isinstance(package, Unsupported):
        raise Unsupported(*package.args)
    return package.render(context, metadata, finish)
