"""PDF/A: what makes Nysan's PDFs archival, shared by every path that writes one.

- ``2b`` (the default): PDF/A-2b, for every document;
- ``1b``: PDF/A-1b (PDF 1.4, no transparency, CIDSet for subset fonts), the archives' ST RK ISO 19005-1;
- ``3b``: PDF/A-3b carrying its validated data as ``nysan-data.json`` (``/AFRelationship /Source``),
  so that ``nysan extract`` gives it back.

The typesetter writes the objects itself (``forms.typeset.pdfa``), WeasyPrint is given the variant
(``pdf_variant``), and a PDF joined from others (WeasyPrint's chunks, a merged batch) is finished by
``finish`` with pikepdf. All share the sRGB profile (Debian's icc-profiles-free, zlib licence, in
``forms/assets/icc``) and the XMP packet built here from the document information dictionary, so
the two always say the same.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from forms.catalogue.locations import ASSETS_DIR

VARIANTS = ("1b", "2b", "3b")
DEFAULT_VARIANT = "2b"
DATA_NAME = "nysan-data.json"
DATA_TYPE = "application/json"
ICC_PATH = ASSETS_DIR / "icc" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"


@dataclass(frozen=True)
class Archival:
    """What an archival PDF is asked to be: its variant, and for 3b the data it carries."""

    variant: str = DEFAULT_VARIANT
    data: bytes | None = None  # nysan-data.json (attached by 3b only)
    date: str | None = None  # the document's date, "YYYY-MM-DD": the attachment's date

    @property
    def part(self) -> int:
        return int(self.variant[0])

    @property
    def attachment(self) -> bytes | None:
        return self.data if self.variant == "3b" else None

    @property
    def pdf_version(self) -> str:
        return "1.4" if self.variant == "1b" else "1.7"


@lru_cache(maxsize=1)
def icc_profile() -> bytes:
    return ICC_PATH.read_bytes()


@lru_cache(maxsize=1)
def icc_packed() -> bytes:
    """The profile deflated once per process (the same stream in every document)."""
    return zlib.compress(icc_profile(), 9)


def full_date(pdf_date: str) -> str:
    """``D:YYYYMMDD…`` completed to seconds and a time zone (UTC unless it has one): PDF/A-1 wants
    both so that the information dictionary and the XMP can be compared."""
    digits = "".join(c for c in pdf_date.removeprefix("D:")[:14] if c.isdigit())
    zone = pdf_date[2 + len(digits) :] or "Z"
    return "D:" + (digits + "0101000000"[len(digits) - 4 :])[:14] + zone


def xmp_date(pdf_date: str) -> str:
    """A full ``D:YYYYMMDDHHmmSSZ`` date as the XMP date that says the same."""
    d = pdf_date.removeprefix("D:")
    zone = d[14:].replace("'", "")
    zone = "Z" if zone in ("", "Z") else f"{zone[:3]}:{zone[3:5] or '00'}"
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}{zone}"


def xmp(info: dict[str, str], lang: str | None, part: int) -> bytes:
    """The XMP packet saying what the information dictionary says (``info``: /Title, /Author,
    /Subject, /Keywords, /Creator, /Producer, /CreationDate, /ModDate → text), its language and the
    PDF/A part (conformance B). Unfiltered, as PDF/A-1 requires of metadata."""

    def alt(value):
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    fields = [f"<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"]
    if info.get("/Title"):
        fields.append(f"<dc:title>{alt(info['/Title'])}</dc:title>")
    if info.get("/Author"):
        fields.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(info['/Author'])}</rdf:li></rdf:Seq></dc:creator>")
    if info.get("/Subject"):
        fields.append(f"<dc:description>{alt(info['/Subject'])}</dc:description>")
    if lang:
        fields.append(f"<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>")
    for key, name in (("/Keywords", "pdf:Keywords"), ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")):
        if info.get(key):
            fields.append(f"<{name}>{escape(info[key])}</{name}>")
    for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if info.get(key):
            fields.append(f"<{name}>{xmp_date(full_date(info[key]))}</{name}>")
    body = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        + "".join(fields)
        + '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="r"?>'
    )
    return body.encode("utf-8")


# A registered document's XMP: the verification URL as its identifier (dc:identifier) and room for
# its registration number, which is taken after the document is made (in the transaction that
# stores it, kept short): whitespace between two elements, which RDF ignores, overwritten in place
# by ``xmp:Identifier`` without moving a byte of the file (``with_number``).
NUMBER_PREFIX = "nysan-number:"
NUMBER_ROOM = 400
NUMBER_SLOT = b"</dc:identifier>" + b" " * NUMBER_ROOM


def registered_xmp(packet: bytes, verify_url: str) -> bytes | None:
    """``packet`` with the registered document's properties, or None when it is not ours to extend
    (no RDF element, or an identifier already there)."""
    end = packet.rfind(b"</rdf:RDF>")
    if end < 0 or b"dc:identifier" in packet:
        return None
    description = (
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/"><dc:identifier>{escape(verify_url)}'
    ).encode()
    return packet[:end] + description + NUMBER_SLOT + b"</rdf:Description>" + packet[end:]


def with_number(document: bytes, number: str) -> bytes:
    """A registered PDF with its number written into the room its XMP keeps for it (same length,
    so every offset in the file stays right). A PDF without that room is returned as it is."""
    at = document.rfind(NUMBER_SLOT)
    if at < 0:
        return document
    value = escape(NUMBER_PREFIX + number).encode("utf-8")
    filled = b"</dc:identifier><xmp:Identifier><rdf:Bag><rdf:li>" + value + b"</rdf:li></rdf:Bag></xmp:Identifier>"
    if len(filled) > len(NUMBER_SLOT):
        raise ValueError(f"a registration number of {len(value)} bytes does not fit the XMP's {NUMBER_ROOM}")
    filled = filled.ljust(len(NUMBER_SLOT))
    return document[:at] + filled + document[at + len(filled) :]


def finish(pdf_bytes: bytes, archival: Archival, identifier: bytes | None = None) -> bytes:
    """A PDF joined from PDF/A parts (WeasyPrint's chunks, a merged batch) made one PDF/A document:
    XMP from its information dictionary, the sRGB output intent, the data attached for 3b, and the
    header and cross-reference form the part allows. The parts' fonts stay as they were embedded."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root
        for key in ("/Metadata", "/OutputIntents", "/AF"):
            if key in root:
                del root[key]
        if "/Names" in root and "/EmbeddedFiles" in root.Names:
            del root.Names.EmbeddedFiles
        for key in ("/CreationDate", "/ModDate"):
            if key in pdf.docinfo:
                pdf.docinfo[key] = pikepdf.String(full_date(str(pdf.docinfo[key])))
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        for page in pdf.pages:  # WeasyPrint's empty pattern and shading dictionaries: nothing to check
            resources = page.obj.get("/Resources")
            for key in ("/Pattern", "/Shading"):
                if resources is not None and key in resources and not resources[key].keys():
                    del resources[key]
        profile = pdf.make_stream(icc_profile())
        profile.N = 3
        root.OutputIntents = pikepdf.Array(
            [
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.OutputIntent,
                        S=pikepdf.Name.GTS_PDFA1,
                        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
                        Info=pikepdf.String(OUTPUT_CONDITION),
                        DestOutputProfile=profile,
                    )
                )
            ]
        )
        lang = str(root.Lang) if "/Lang" in root else None
        metadata = pikepdf.Stream(pdf, xmp(info, lang, archival.part))
        metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        root.Metadata = pdf.make_indirect(metadata)
        attachment = archival.attachment
        if attachment is not None:
            _attach(pdf, archival, attachment)
        if identifier is not None:
            pdf.trailer.ID = pikepdf.Array([pikepdf.String(identifier), pikepdf.String(identifier)])
        out = io.BytesIO()
        # Reproducible (no fresh /ID, no timestamps); PDF/A-1 knows neither object nor xref streams.
        pdf.save(
            out,
            static_id=identifier is not None,
            deterministic_id=identifier is None,
            force_version=archival.pdf_version,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable
            if archival.part == 1
            else pikepdf.ObjectStreamMode.preserve,
        )
        return out.getvalue()


def _attach(pdf, archival: Archival, attachment: bytes) -> None:
    import pikepdf

    stream = pdf.make_stream(attachment)
    stream.Type, stream.Subtype = pikepdf.Name.EmbeddedFile, pikepdf.Name("/" + DATA_TYPE)
    stream.Params = pikepdf.Dictionary(Size=len(attachment), ModDate=pikepdf.String(attachment_date(archival)))
    spec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F=pikepdf.String(DATA_NAME),
            UF=pikepdf.String(DATA_NAME),
            Desc=pikepdf.String("Nysan document data"),
            AFRelationship=pikepdf.Name.Source,
            EF=pikepdf.Dictionary(F=stream, UF=stream),
        )
    )
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.EmbeddedFiles = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String(DATA_NAME), spec]))
    pdf.Root.AF = pikepdf.Array([spec])


def attachment_date(archival: Archival) -> str:
    digits = (archival.date or "").replace("-", "")[:8]
    return f"D:{digits}000000Z" if len(digits) == 8 else "D:20000101000000Z"
