"""Hostile input, item 3: uploads that cannot explode. Each crafted file is posted to a fresh service
in a child process, which reports the status and the page; the child's peak memory is
measured against the same child posting a small good file. The peak is the process's own (VmHWM):
ru_maxrss carries over the peak of the test process that started it, which hid a child's growth."""

from __future__ import annotations

import functools
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from openpyxl import Workbook
from test_web_upload import HEADER, client, csv_bytes, journal_rows, upload  # noqa: F401 (fixture)

import forms
import forms.errors

TESTS = Path(__file__).resolve().parent
MEMORY_ALLOWED_MB = 150  # beyond the good file's peak


def good_xlsx(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in journal_rows(rows, bad=None):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(
    original: bytes, changes: dict[str, bytes | None], streamed: dict[str, tuple[bytes, int]] = None
) -> bytes:
    """The XLSX with parts replaced (None: removed); ``streamed``: a part written as a chunk repeated n times
    (a bomb: megabytes compressed, gigabytes inflated), without holding it in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename in (streamed or {}):
                chunk, times = streamed[part.filename]
                with target.open(part.filename, "w", force_zip64=True) as sink:
                    for _ in range(times):
                        sink.write(chunk)
                continue
            if part.filename in changes:
                if changes[part.filename] is not None:
                    target.writestr(part.filename, changes[part.filename])
                continue
            target.writestr(part, source.read(part.filename))
        for name, (chunk, times) in (streamed or {}).items():
            if name not in source.namelist():
                with target.open(name, "w", force_zip64=True) as sink:
                    for _ in range(times):
                        sink.write(chunk)
    return out.getvalue()


def with_shared_strings(chunk: bytes, times: int) -> bytes:
    """A workbook whose shared strings part is ``chunk`` repeated ``times`` times."""
    original = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        types = source.read("[Content_Types].xml").decode()
        rels = source.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>',
    )
    return rewritten(
        original,
        {"[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode()},
        {"xl/sharedStrings.xml": (chunk, times)},
    )


def declaring(original: bytes, name: str, declared: int) -> bytes:
    """The archive with part ``name`` saying it inflates to ``declared`` bytes (local header and central
    directory), whatever its data inflates to."""
    data = bytearray(original)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        offset = archive.getinfo(name).header_offset
    struct.pack_into("<I", data, offset + 22, declared)
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + length] == name.encode():
            struct.pack_into("<I", data, entry + 24, declared)
        entry = data.find(b"PK\x01\x02", entry + 4)
    return bytes(data)


def sheet_with(extra_rows: str, cell_change: tuple[str, str] | None = None) -> bytes:
    original = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("</sheetData>", extra_rows + "</sheetData>")
    if cell_change:
        sheet = sheet.replace(*cell_change, 1)
    return rewritten(original, {"xl/worksheets/sheet1.xml": sheet.encode()})


CHILD = """
import io, json, sys
sys.path.insert(0, {tests!r})
from test_web_upload import journal_data_dir, upload, csv_bytes, journal_rows
from service import create_app
import tempfile, pathlib
app = create_app({{"TESTING": True, "SECRET_KEY": "t", "DATA_DIR": str(journal_data_dir(pathlib.Path(tempfile.mkdtemp())))}})
client = app.test_client()
upload(client, csv_bytes(journal_rows(3, bad=None)), "good.csv")
before = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
response = upload(client, open(sys.argv[1], "rb").read(), sys.argv[2])
after = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({{"status": response.status_code, "page": response.get_data(as_text=True),
                  "grown_mb": (after - before) / 1024}}))
"""


def post_in_child(tmp_path: Path, content: bytes, filename: str) -> dict:
    """Status, page and memory grown of one upload in a fresh service process (at most 60 s)."""
    upload_file = tmp_path / "upload.bin"
    upload_file.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(tests=str(TESTS)), str(upload_file), filename],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS.parent), os.environ.get("PYTHONPATH")])),
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


UNREADABLE = ("Файлды оқу мүмкін болмады", "upload_unreadable")

BOMBS = {
    # a 5 KB sheet whose next row is number 100,000,000: openpyxl would yield every empty row before it
    "far row": lambda: sheet_with(
        '<row r="100000000"><c r="A100000000" t="inlineStr"><is><t>x</t></is></c></row>',
        ('<dimension ref="A1:H4"/>', '<dimension ref="A1:H100000000"/>'),
    ),
    # shared strings inflating to 300 MB
    "shared strings bomb": lambda: with_shared_strings(b"<si><t>" + b"a" * 1000 + b"</t></si>", 300_000),
    # a theme inflating to 1 GB
    "theme bomb": lambda: rewritten(good_xlsx(), {}, {"xl/theme/theme1.xml": (b" " * 1_000_000, 1000)}),
    # the same theme declaring 5 kB: zipfile stops there, but a part read whole inflated all of it first
    "theme bomb declaring 5 kB": lambda: declaring(
        rewritten(good_xlsx(), {}, {"xl/theme/theme1.xml": (b" " * 1_000_000, 1000)}), "xl/theme/theme1.xml", 5000
    ),
}

MALFORMED = {
    "text in a number cell": lambda: sheet_with('<row r="9"><c r="A9" t="n"><v>Иванов</v></c></row>'),
    "text in a date cell": lambda: sheet_with('<row r="9"><c r="A9" t="d"><v>Иванов</v></c></row>'),
    "column ZZZZZZZZ": lambda: sheet_with('<row r="9"><c r="ZZZZZZZZ9" t="inlineStr"><is><t>x</t></is></c></row>'),
    "shared string out of range": lambda: sheet_with('<row r="9"><c r="A9" t="s"><v>99999</v></c></row>'),
    "missing part": lambda: rewritten(good_xlsx(), {"xl/workbook.xml": None}),
    "not a zip": lambda: b"PK\x03\x04" + b"\x00" * 200,
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_without_memory_or_time(tmp_path, name):
    answer = post_in_child(tmp_path, BOMBS[name](), "rows.xlsx")
    assert answer["status"] == 422
    assert (
        "Файлды оқу мүмкін болмады" in answer["page"]
        or "Файлда жолдар тым көп" in answer["page"]
        or "тым көп" in answer["page"]
    ), answer["page"][-500:]
    assert answer["grown_mb"] < MEMORY_ALLOWED_MB, f"{name}: {answer['grown_mb']:.0f} MB"


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_sheet_is_unreadable_not_an_error(client, name):  # noqa: F811 (fixture)
    response = upload(client, MALFORMED[name](), "rows.xlsx")
    assert response.status_code == 422, response.status_code
    assert UNREADABLE[0] in response.get_data(as_text=True)


def test_a_csv_in_no_known_encoding_is_unreadable(client):  # noqa: F811
    content = csv_bytes(journal_rows(2, bad=None)) + b"\x98\x98;x\n"
    response = upload(client, content, "rows.csv")
    assert response.status_code == 422 and UNREADABLE[0] in response.get_data(as_text=True)


def test_rows_past_the_limit_are_not_read(client):  # noqa: F811
    # 200 is the journal's max_items: 150 rows, then 100 empty lines, then one more row
    content = csv_bytes(journal_rows(150, bad=None)) + b"\n" * 100 + b"X,Y,,,1990-01-01,m,,\n"
    response = upload(client, content, "rows.csv")
    assert response.status_code == 422 and "200" in response.get_data(as_text=True)
    assert upload(client, csv_bytes(journal_rows(150, bad=None)), "rows.csv").status_code == 200


def test_openpyxl_parses_through_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


# --- item 4: documents to reopen (POST /api/v1/extract, the web's "Open a document") -------------------
# Each file is built as Nysan builds its own (the PDF's nysan-data.json attachment, the DOCX's custom XML
# part), then made hostile: megabytes compressed, gigabytes inflated. Posted in a fresh service process:
# status, envelope, the memory it grew by and the seconds it took.

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTRACT_MEMORY_MB = 300
EXTRACT_SECONDS = 5.0


@functools.cache
def nysan_document(fmt: str) -> bytes:
    from support.cases import as_of_for

    return forms.render(
        "referral",
        forms.example("referral"),
        lang="kk",
        fmt=fmt,
        version="1",
        pdfa="3b",
        as_of=as_of_for("referral", "1"),
    )


def deflated(head: bytes, chunk: bytes, times: int, tail: bytes) -> bytes:
    """zlib data of ``head + chunk * times + tail``, made without holding it: after a full flush the
    compressor starts afresh, so each chunk compresses to the same bytes; the checksum is the whole's."""
    compressor = zlib.compressobj(9)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    check = zlib.adler32(head)
    for _ in range(times):
        check = zlib.adler32(chunk, check)
    return start + block * times + end[:-4] + zlib.adler32(tail, check).to_bytes(4, "big")


def pdf_carrying(compressed: bytes, declared_size: int) -> bytes:
    """Nysan's PDF/A-3b of a referral, its nysan-data.json stream replaced by ``compressed`` (Flate),
    its /Params /Size saying ``declared_size``: the name, type and place of Nysan's own attachment."""
    with pikepdf.open(io.BytesIO(nysan_document("pdf"))) as pdf:
        stream = pdf.attachments["nysan-data.json"].get_file().obj
        stream.write(compressed, filter=pikepdf.Name.FlateDecode)
        stream.Params.Size = declared_size
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def nysan_part(document: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return next(
            name for name in archive.namelist() if "Props" not in name and b"urn:nysan:document:1" in archive.read(name)
        )


PART_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<document xmlns="urn:nysan:document:1" form="referral" version="1" lang="kk">'
)


def docx_carrying(body: bytes, head: bytes = PART_HEAD, tail: bytes = b"</document>") -> bytes:
    """Nysan's DOCX of a referral, its data part ``head + body + tail``."""
    document = nysan_document("docx")
    return rewritten(document, {nysan_part(document): head + body + tail})


LAUGHS = b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"lol") * 10) for i in range(1, 10))

HOSTILE_DOCUMENTS = {
    # 1.5 MB: a JSON object padded with 1.5 GB of spaces, its size declared honestly
    "pdf: data of spaces": (
        lambda: pdf_carrying(
            deflated(b'{"form": "referral", "version": "1", "lang": "kk", "data": {}', b" " * 1_000_000, 1500, b"}"),
            1_500_000_000,
        ),
        "application/pdf",
        "document_data_too_large",
    ),
    # 1.5 MB: one string of 1.5 GB, the attachment declaring 100 bytes
    "pdf: one long string, its size hidden": (
        lambda: pdf_carrying(
            deflated(
                b'{"form": "referral", "version": "1", "lang": "kk", "data": {"x": "', b"a" * 1_000_000, 1500, b'"}}'
            ),
            100,
        ),
        "application/pdf",
        "document_data_too_large",
    ),
    # 100 KB: the data part with 15 million elements after its data
    "docx: element bomb": (
        lambda: docx_streamed(b"<data>{}</data>", b"<a/>" * 250_000, 60, b"</document>"),
        DOCX_TYPE,
        "document_data_too_large",
    ),
    # 100 KB: the data part inflating to 60 MB of JSON, 20 million empty lists
    "docx: data part inflating": (
        lambda: docx_streamed(b'<data>{"x": [', b"[]," * 1_000_000, 20, b"[]]}</data></document>"),
        DOCX_TYPE,
        "document_data_too_large",
    ),
    # the same part declaring 5 kB: a part read whole was inflated in one call as far as its data goes
    "docx: data part declaring 5 kB": (
        lambda: declaring(*_streamed_part(b'<data>{"x": "', b"a" * 1_000_000, 1000, b'"}</data></document>'), 5000),
        DOCX_TYPE,
        "not_a_nysan_document",
    ),
    # the data 200,000 lists deep: a RecursionError in the JSON parser
    "docx: nested data": (lambda: docx_carrying(b"<data>" + b"[" * 200_000 + b"</data>"), DOCX_TYPE, "too_deep"),
    # a billion laughs in the form id
    "docx: billion laughs": (
        lambda: docx_carrying(
            b"",
            head=b'<?xml version="1.0"?><!DOCTYPE document ['
            + LAUGHS
            + b']><document xmlns="urn:nysan:document:1" form="&lol9;" '
            b'version="1" lang="kk"><data>{}</data>',
        ),
        DOCX_TYPE,
        "not_a_nysan_document",
    ),
}


def _streamed_part(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, str]:
    return docx_streamed(head, chunk, times, tail), nysan_part(nysan_document("docx"))


def docx_streamed(head: bytes, chunk: bytes, times: int, tail: bytes) -> bytes:
    """Nysan's DOCX whose data part is ``PART_HEAD + head + chunk * times + tail``, written as it is compressed."""
    document = nysan_document("docx")
    name = nysan_part(document)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename != name:
                target.writestr(part, source.read(part.filename))
                continue
            with target.open(name, "w", force_zip64=True) as sink:
                sink.write(PART_HEAD + head)
                for _ in range(times):
                    sink.write(chunk)
                sink.write(tail)
    return out.getvalue()


EXTRACT_CHILD = """
import json, sys, time
from service import create_app
app = create_app({"API_KEYS": []})
client = app.test_client()
content, media_type = open(sys.argv[1], "rb").read(), sys.argv[2]
client.post("/api/v1/extract", data=open(sys.argv[3], "rb").read(), content_type=media_type)   # imports, caches
before = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
start = time.monotonic()
response = client.post("/api/v1/extract", data=content, content_type=media_type, headers={"Accept-Language": "ru"})
seconds = time.monotonic() - start
after = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"status": response.status_code, "body": response.get_json(silent=True), "seconds": seconds,
                  "grown_mb": (after - before) / 1024}))
"""


def extract_in_child(tmp_path: Path, content: bytes, media_type: str) -> dict:
    """Status, JSON body, seconds and memory grown of one POST /api/v1/extract in a fresh service process."""
    hostile, good = tmp_path / "hostile.bin", tmp_path / "good.bin"
    hostile.write_bytes(content)
    good.write_bytes(nysan_document("pdf" if media_type == "application/pdf" else "docx"))
    done = subprocess.run(
        [sys.executable, "-c", EXTRACT_CHILD, str(hostile), media_type, str(good)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS.parent), os.environ.get("PYTHONPATH")])),
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", HOSTILE_DOCUMENTS)
def test_a_hostile_document_is_refused_within_bounded_memory_and_time(tmp_path, name):
    build, media_type, code = HOSTILE_DOCUMENTS[name]
    content = build()
    assert len(content) < 2 * 1024 * 1024  # within MAX_CONTENT_LENGTH: the service reads it
    answer = extract_in_child(tmp_path, content, media_type)
    assert answer["grown_mb"] < EXTRACT_MEMORY_MB, f"{name}: {answer['grown_mb']:.0f} MB"
    assert answer["seconds"] < EXTRACT_SECONDS, f"{name}: {answer['seconds']:.1f} s"
    assert answer["status"] == 422, answer
    body = answer["body"]
    assert body["code"] == code and [e["code"] for e in body["errors"]] == [code], body
    assert body["message"] == forms.errors.message(
        code, "ru", **({"max": 2} if code == "document_data_too_large" else {"max": 32} if code == "too_deep" else {})
    )
