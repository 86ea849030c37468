"""The data a DOCX carries: a custom XML part (``customXml/itemN.xml``, with its properties part and
related from the main document) holding the form id, version, language and the payload as JSON.
Word and LibreOffice keep such parts when the document is edited and saved, so ``nysan extract``
can give the data back (``forms.extract`` reads it, within its limits). Both DOCX paths add it the
same way, so their parts stay byte-identical.
"""

from __future__ import annotations

from lxml import etree

from forms.internals import RELATIONSHIP_TYPE as RT
from forms.internals import PackURI, Part

NAMESPACE = "urn:nysan:document:1"
# A fixed datastore id: Word needs one, reproducible bytes need it not to be random.
ITEM_ID = "{5E0F7B5A-6E79-4E73-8E61-6E2D64617461}"
PROPS_TYPE = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
PROPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    f'<ds:datastoreItem ds:itemID="{ITEM_ID}" '
    'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
    f'<ds:schemaRefs><ds:schemaRef ds:uri="{NAMESPACE}"/></ds:schemaRefs></ds:datastoreItem>'
).encode()


def item_xml(metadata: dict) -> bytes:
    """The part's XML from the document's metadata (category = form id, version, language, data)."""
    root = etree.Element(f"{{{NAMESPACE}}}document", nsmap={None: NAMESPACE})
    root.set("form", metadata["category"])
    root.set("version", metadata["version"])
    root.set("lang", metadata["language"])
    etree.SubElement(root, f"{{{NAMESPACE}}}data").text = metadata.get("data", "null")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_part(document, blob: bytes) -> str:
    """Adds the data part to a python-docx ``Document``; returns its ZIP member name."""
    package = document.part.package
    item = Part(package.next_partname("/customXml/item%d.xml"), "application/xml", blob, package)
    props_name = PackURI(item.partname.replace("/item", "/itemProps"))
    item.relate_to(Part(props_name, PROPS_TYPE, PROPS, package), RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)
    return item.partname.membername
