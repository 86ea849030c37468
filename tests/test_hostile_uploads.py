"""Hostile input, item 3: uploads that cannot explode. Each crafted file is posted to a fresh service
in a child process, which reports the status and the page; the child's peak memory (``wait4``) is
measured against the same child posting a small good file."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from test_web_upload import HEADER, client, csv_bytes, journal_rows, upload  # noqa: F401 (fixture)

TESTS = Path(__file__).resolve().parent
MEMORY_ALLOWED_MB = 150    # beyond the good file's peak


def good_xlsx(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in journal_rows(rows, bad=None):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(original: bytes, changes: dict[str, bytes | None], streamed: dict[str, tuple[bytes, int]] = None) -> bytes:
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
    types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = rels.replace("</Relationships>", '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/'
                        '2006/relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>')
    return rewritten(original, {"[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode()},
                     {"xl/sharedStrings.xml": (chunk, times)})


def sheet_with(extra_rows: str, cell_change: tuple[str, str] | None = None) -> bytes:
    original = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("</sheetData>", extra_rows + "</sheetData>")
    if cell_change:
        sheet = sheet.replace(*cell_change, 1)
    return rewritten(original, {"xl/worksheets/sheet1.xml": sheet.encode()})


CHILD = """
import io, json, resource, sys
sys.path.insert(0, {tests!r})
from test_web_upload import journal_data_dir, upload, csv_bytes, journal_rows
from service import create_app
import tempfile, pathlib
app = create_app({{"TESTING": True, "SECRET_KEY": "t", "DATA_DIR": str(journal_data_dir(pathlib.Path(tempfile.mkdtemp())))}})
client = app.test_client()
upload(client, csv_bytes(journal_rows(3, bad=None)), "good.csv")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
response = upload(client, open(sys.argv[1], "rb").read(), sys.argv[2])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"status": response.status_code, "page": response.get_data(as_text=True),
                  "grown_mb": (after - before) / 1024}}))
"""


def post_in_child(tmp_path: Path, content: bytes, filename: str) -> dict:
    """Status, page and memory grown of one upload in a fresh service process (at most 60 s)."""
    upload_file = tmp_path / "upload.bin"
    upload_file.write_bytes(content)
    done = subprocess.run([sys.executable, "-c", CHILD.format(tests=str(TESTS)), str(upload_file), filename],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS.parent),
                                                                                         os.environ.get("PYTHONPATH")]))})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


UNREADABLE = ("Файлды оқу мүмкін болмады", "upload_unreadable")

BOMBS = {
    # a 5 KB sheet whose next row is number 100,000,000: openpyxl would yield every empty row before it
    "far row": lambda: sheet_with('<row r="100000000"><c r="A100000000" t="inlineStr"><is><t>x</t></is></c></row>',
                                  ('<dimension ref="A1:H4"/>', '<dimension ref="A1:H100000000"/>')),
    # shared strings inflating to 300 MB
    "shared strings bomb": lambda: with_shared_strings(b"<si><t>" + b"a" * 1000 + b"</t></si>", 300_000),
    # a theme inflating to 1 GB
    "theme bomb": lambda: rewritten(good_xlsx(), {}, {"xl/theme/theme1.xml": (b" " * 1_000_000, 1000)}),
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
    assert "Файлды оқу мүмкін болмады" in answer["page"] or "Файлда жолдар тым көп" in answer["page"] \
        or "тым көп" in answer["page"], answer["page"][-500:]
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
