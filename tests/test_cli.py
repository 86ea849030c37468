"""The `nysan` command line, as a user types it."""

import json
import shutil
import subprocess
import sys

from service.cli import main
from support.text import pdf_text


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, out


def test_forms_list(capsys):
    code, out = run(capsys, "forms", "list")
    assert code == 0 and "referral" in out and "ЖОЛДАМА" in out
    code, out = run(capsys, "forms", "list", "--json")
    assert {"referral", "placement-application"} <= {f["id"] for f in json.loads(out)}


def test_schema_and_example(capsys):
    code, out = run(capsys, "forms", "schema", "referral", "--version", "1")
    assert code == 0 and json.loads(out)["x-nysan"]["form"] == "referral"
    code, out = run(capsys, "forms", "example", "placement-application")
    assert code == 0 and "authority_name" in json.loads(out)


def test_validate_ok_and_errors(capsys, tmp_path):
    good = tmp_path / "good.json"
    _, example = run(capsys, "forms", "example", "referral")
    good.write_text(example, encoding="utf-8")
    assert run(capsys, "validate", "referral", str(good))[0] == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"issue_date": "2024-13-01"}), encoding="utf-8")
    code, out = run(capsys, "validate", "referral", str(bad), "--lang", "ru")
    errors = json.loads(out)
    assert code == 1
    assert {"path": "issue_date", "code": "invalid_date", "message": "Неверная дата (ожидается ГГГГ-ММ-ДД)."} in errors


def test_render_to_file(capsys, tmp_path):
    _, example = run(capsys, "forms", "example", "referral")
    data = tmp_path / "referral.json"
    data.write_text(example, encoding="utf-8")
    out = tmp_path / "referral.pdf"
    assert run(capsys, "render", "referral", str(data), "--lang", "kk", "--format", "pdf", "-o", str(out))[0] == 0
    assert "ЖОЛДАМА" in pdf_text(out.read_bytes())


def test_unknown_form_exit_2(capsys, tmp_path):
    data = tmp_path / "x.json"
    data.write_text("{}")
    code, out = run(capsys, "render", "nope", str(data), "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and json.loads(out)["code"] == "unknown_form"


def test_console_script_reads_standard_input(tmp_path):
    """The installed `nysan` command (or `python -m forms`), with data on standard input."""
    command = [shutil.which("nysan")] if shutil.which("nysan") else [sys.executable, "-m", "service"]
    example = subprocess.run(
        command + ["forms", "example", "placement-application"], capture_output=True, check=True
    ).stdout
    result = subprocess.run(
        command
        + ["render", "placement-application", "-", "--lang", "ru", "--format", "docx", "-o", str(tmp_path / "a.docx")],
        input=example,
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    from support.text import docx_text

    assert "Заявление" in docx_text((tmp_path / "a.docx").read_bytes())


def test_output_cut_short_by_the_reader_is_not_an_error():
    """`nysan forms list | head`: a reader that has gone gets no traceback. The pipe's read end is
    closed before the command starts, so every write fails, whatever the timing."""
    import os

    command = [shutil.which("nysan")] if shutil.which("nysan") else [sys.executable, "-m", "service"]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(command + ["forms", "list"], stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0
