"""The mark on a registered document, as a reader checks it: the QR code scanned from the printed
page (zbarimg on a 200 dpi raster) gives exactly the verification URL; the URL and the line are
there as text; the form's own text is where it was, untouched, and nothing of it lies under the
mark. On every form in both languages, on examples and on first pages filled to the margin."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree
from PIL import Image, ImageChops

import forms
from forms.postprocess import add_verification_mark
from forms.postprocess.mark import explanation
from support.cases import as_of_for, registry_cases, rendered, with_rows
from support.text import normalise

# 128 bits of token, as the register makes them: a URL of QR version 3.
URL = "https://nysan.example.kz/v/kQ3v9Zx1Lm0TbR7sWc2YpA"
DPI = 200
FULL_ROWS = 40  # enough rows to fill the first page of every journal and report down to its margin


def document_cases():
    return [
        pytest.param(form, version, lang, id=f"{form}-v{version}-{lang}")
        for form, version in registry_cases()
        for lang in forms.DOCUMENT_LANGUAGES
    ]


def full_page_cases():
    registry = forms.default_registry()
    return [
        pytest.param(f.id, v.version, lang, id=f"{f.id}-v{v.version}-{lang}-full")
        for f in registry.forms.values()
        for v in f.versions
        if v.rows_field
        for lang in forms.DOCUMENT_LANGUAGES
    ]


def run(*command: str, data: bytes | None = None) -> bytes:
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def raster(pdf: bytes, tmp_path: Path, name: str) -> Path:
    """Page 1 at 200 dpi, as a scan of the printed page."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    run("pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile", str(source), str(tmp_path / name))
    return tmp_path / f"{name}.png"


def scanned(image: Path) -> list[str]:
    """Every symbol zbarimg finds in the image."""
    result = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True)
    return result.stdout.decode("utf-8").splitlines()


def words(pdf: bytes, page: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """pdftotext -bbox: each word of a page with its box (points, y downwards)."""
    html = run("pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(page), "-l", str(page), "-", "-", data=pdf)
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(text, tuple(round(float(v), 2) for v in box)) for *box, text in re.findall(pattern, html.decode())]


def page_count(pdf: bytes) -> int:
    return int(re.search(rb"Pages:\s+(\d+)", run("pdfinfo", "-", data=pdf)).group(1))


def page_text(pdf: bytes, page: int) -> str:
    return run("pdftotext", "-enc", "UTF-8", "-layout", "-f", str(page), "-l", str(page), "-", "-", data=pdf).decode()


def mark_area(plain: Path, marked: Path) -> tuple[float, float, float, float]:
    """The box (points, y downwards) of every pixel the mark changed on page 1."""
    before, after = Image.open(plain).convert("L"), Image.open(marked).convert("L")
    box = ImageChops.difference(before, after).getbbox()
    assert box, "the mark changed nothing on page 1"
    return tuple(v * 72 / DPI for v in box)


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_pdf_mark(plain: bytes, lang: str, tmp_path: Path) -> None:
    marked = add_verification_mark(plain, "pdf", URL, lang)
    assert add_verification_mark(plain, "pdf", URL, lang) == marked, "a rerun gives other bytes"

    assert scanned(raster(marked, tmp_path, "marked")) == [URL]

    text = normalise(page_text(marked, 1))
    assert normalise(explanation(lang)) in text and URL in text

    # The form's own text: other pages identical, page 1's words all still there at the same places.
    pages = page_count(plain)
    assert page_count(marked) == pages
    for page in range(2, pages + 1):
        assert page_text(marked, page) == page_text(plain, page)
    own, after = words(plain, 1), words(marked, 1)
    added = list(after)
    for word in own:
        assert word in added, f"{word} moved or vanished"
        added.remove(word)
    assert " ".join(text for text, _ in added) == f"{explanation(lang)} {URL}"

    # Nothing of the form's text lies under the mark, which sits below all of it.
    area = mark_area(raster(plain, tmp_path, "plain"), tmp_path / "marked.png")
    assert not [word for word in own if overlaps(word[1], area)]
    assert area[1] > max(box[3] for _, box in own)


@pytest.mark.parametrize("form_id, version, lang", document_cases())
def test_pdf_mark_scans_and_leaves_the_form_alone(form_id, version, lang, tmp_path):
    check_pdf_mark(rendered(form_id, version, lang, "pdf"), lang, tmp_path)


@pytest.mark.parametrize("form_id, version, lang", full_page_cases())
def test_pdf_mark_fits_a_first_page_filled_to_its_margin(form_id, version, lang, tmp_path):
    plain = forms.render(
        form_id,
        with_rows(form_id, version, FULL_ROWS),
        lang=lang,
        fmt="pdf",
        version=version,
        as_of=as_of_for(form_id, version),
    )
    check_pdf_mark(plain, lang, tmp_path)


def body_xml(document: docx.document.Document) -> list[bytes]:
    """The body's paragraphs and tables as XML (the section properties left out)."""
    return [etree.tostring(child) for child in document.element.body if child.tag != qn("w:sectPr")]


@pytest.mark.parametrize("form_id, version, lang", document_cases())
def test_docx_mark_is_in_the_first_page_footer(form_id, version, lang, tmp_path):
    plain = rendered(form_id, version, lang, "docx")
    marked = add_verification_mark(plain, "docx", URL, lang)
    assert add_verification_mark(plain, "docx", URL, lang) == marked, "a rerun gives other bytes"

    before, after = docx.Document(io.BytesIO(plain)), docx.Document(io.BytesIO(marked))
    assert body_xml(after) == body_xml(before)
    # Parts other than the document, its relationships and the content types are as rendered.
    plain_zip, marked_zip = zipfile.ZipFile(io.BytesIO(plain)), zipfile.ZipFile(io.BytesIO(marked))
    edited = {"word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"}
    for name in set(plain_zip.namelist()) - edited:
        assert marked_zip.read(name) == plain_zip.read(name), name
    assert normalise(explanation(lang)) not in normalise("\n".join(p.text for p in after.paragraphs))

    section = after.sections[0]
    footer = section.first_page_footer
    assert section.different_first_page_header_footer and not footer.is_linked_to_previous
    cells = [normalise(cell.text) for table in footer.tables for row in table.rows for cell in row.cells]
    assert normalise(explanation(lang)) in cells[1] and URL in cells[1]
    # The other pages' footer is as it was (the templates have none).
    assert section.footer.is_linked_to_previous

    images = [part.blob for part in footer.part.related_parts.values() if part.content_type == "image/png"]
    assert len(images) == 1
    picture = tmp_path / "code.png"
    picture.write_bytes(images[0])
    assert scanned(picture) == [URL]


def test_other_formats_and_languages_are_refused():
    pdf = rendered("referral", "1", "kk", "pdf")
    with pytest.raises(ValueError):
        add_verification_mark(b"<html></html>", "html", URL, "kk")
    with pytest.raises(ValueError):
        add_verification_mark(pdf, "pdf", URL, "en")


def test_the_code_holds_the_url_it_is_given(tmp_path):
    other = "https://register.example.org/v/AAAAAAAAAAAAAAAAAAAAAA"
    marked = add_verification_mark(rendered("referral", "1", "ru", "pdf"), "pdf", other, "ru")
    assert scanned(raster(marked, tmp_path, "other")) == [other]


def test_the_qr_codes_are_segnos_own(monkeypatch):
    """Nysan evaluates segno's eight masks faster (forms/internals.py): the codes, masks and
    penalty scores must be the ones segno's own functions give."""
    import random
    import secrets

    import segno
    from segno import encoder

    fast_apply, fast_score = encoder.apply_mask, encoder.evaluate_mask
    assert getattr(fast_score, "nysan", False), "the faster mask evaluation is not installed"
    urls = [f"https://nysan.example.kz/v/{secrets.token_urlsafe(18)}" for _ in range(60)]
    urls += [f"https://register.{'x' * size}.example.org/v/{secrets.token_urlsafe(size)}" for size in range(18, 400, 9)]
    fast = [segno.make_qr(url, error="L", boost_error=True) for url in urls]
    monkeypatch.setattr(encoder, "apply_mask", fast_apply.segno)
    monkeypatch.setattr(encoder, "evaluate_mask", fast_score.segno)
    own = [segno.make_qr(url, error="L", boost_error=True) for url in urls]
    assert len({code.version for code in own}) > 5
    for ours, theirs in zip(fast, own):
        assert (ours.matrix, ours.mask, ours.version, ours.error) == (
            theirs.matrix,
            theirs.mask,
            theirs.version,
            theirs.error,
        )
    # Scores of matrices no URL makes: long runs, blocks, finder-like patterns, reserved modules (2, 3).
    rng = random.Random(7)
    for size in (21, 29, 57, 101, 177):
        for case in range(60):
            if case % 4 == 0:
                pattern = [1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0] * (size // 5)
                matrix = [bytearray(pattern[(row * case) % 11 : (row * case) % 11 + size]) for row in range(size)]
                for row in matrix:
                    row[rng.randrange(size)] ^= 1
            else:
                values = (0, 1, 2, 3) if case % 3 == 0 else (0, 1) if case % 3 == 1 else (0, 0, 0, 1)
                matrix = [bytearray(rng.choice(values) for _ in range(size)) for _ in range(size)]
            assert fast_score(tuple(matrix), size, size) == fast_score.segno(tuple(matrix), size, size), (size, case)


def object_streams(document: bytes) -> bytes:
    """The same PDF saved by qpdf with object streams and a cross-reference stream."""
    import pikepdf

    with pikepdf.open(io.BytesIO(document)) as pdf:
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
        return out.getvalue()


@pytest.mark.parametrize(
    "variant, made_by",
    [
        (variant, made_by)
        for variant in ("1b", "2b", "3b")
        for made_by in ("typesetter", "weasyprint", "xref-stream")
        if (variant, made_by) != ("1b", "xref-stream")
    ],
)  # not in PDF/A-1
def test_a_marked_pdf_stays_pdfa_and_names_its_url_and_number(variant, made_by, monkeypatch):
    """The mark (an incremental update where the file's last cross-reference section is a table, as
    the typesetter writes it; a rewrite of others) keeps the document PDF/A, adds the URL to its XMP
    and leaves room there for the number."""
    import pikepdf
    import pikepdf.pdfa

    from forms.postprocess.mark import add_number
    from support.cases import use_engine

    use_engine(monkeypatch, "weasyprint" if made_by == "weasyprint" else "auto")
    plain = forms.render("referral", forms.example("referral"), lang="ru", fmt="pdf", pdfa=variant)
    if made_by == "xref-stream":
        plain = object_streams(plain)
    marked = add_verification_mark(plain, "pdf", URL, "ru")
    if made_by != "weasyprint":
        assert marked.startswith(plain) == (made_by == "typesetter")
    numbered = add_number(marked, "pdf", "2026-000042")
    assert len(numbered) == len(marked)
    for document in (marked, numbered):
        report = pikepdf.pdfa.validate_written(io.BytesIO(document), variant)
        assert report.passed, [str(finding) for finding in report.findings]
    with pikepdf.open(io.BytesIO(numbered)) as pdf, pdf.open_metadata() as meta:
        assert meta["dc:identifier"] == URL and meta["xmp:Identifier"] == {"nysan-number:2026-000042"}
    with pytest.raises(ValueError):
        add_number(marked, "pdf", "9" * 500)
    assert add_number(plain, "pdf", "1") == plain  # not marked: no room, nothing written


@pytest.mark.parametrize("engine", ["auto", "weasyprint"])
def test_the_tokenizer_reads_page_one_as_pikepdf_does(engine, monkeypatch):
    """Where the mark goes is read from page 1's content by a small tokenizer, or by pikepdf's
    parser where the stream holds more than it reads; both must give the same instructions, and the
    typesetter's pages must never need the parser."""
    import pikepdf

    from forms.postprocess import pdfextent
    from support.cases import use_engine

    use_engine(monkeypatch, engine)
    read = 0
    for form_id, version in registry_cases():
        spec = forms.default_registry().form(form_id).version(version)
        variants = [forms.example(form_id, version)] + ([with_rows(form_id, version, 12)] if spec.rows_field else [])
        for lang in forms.DOCUMENT_LANGUAGES:
            for data in variants:
                document = forms.render(
                    form_id, data, lang=lang, fmt="pdf", version=version, as_of=as_of_for(form_id, version)
                )
                with pikepdf.open(io.BytesIO(document)) as pdf:
                    page = pdf.pages[0]
                    tokens = pdfextent._tokenized(pdfextent._content(page))
                    if engine == "auto":
                        assert tokens is not None, f"{form_id} {lang}: the typesetter's page needs the parser"
                    if tokens is not None:
                        assert tokens == pdfextent._parsed(page), f"{form_id} {lang}"
                        read += 1
    assert read, "no page was read by the tokenizer: the test compared nothing"


def test_the_typesetters_art_box_holds_what_its_pages_paint(monkeypatch):
    """The typesetter gives every page an art box (its bands' extent); the mark reads page 1's for
    where the form's content ends instead of reading the page's drawing. Everything a page paints
    lies inside it (a rule centred on a band's edge may reach half its width, < 1 pt, beyond), on
    examples and on pages filled to the margin; a PDF from elsewhere is still read op by op."""
    import pikepdf

    from forms.postprocess import pdfextent, pdfmark
    from support.cases import use_engine

    checked = 0
    for form_id, version in registry_cases():
        spec = forms.default_registry().form(form_id).version(version)
        variants = [forms.example(form_id, version)] + (
            [with_rows(form_id, version, FULL_ROWS)] if spec.rows_field else []
        )
        for lang in forms.DOCUMENT_LANGUAGES:
            for data in variants:
                document = forms.render(
                    form_id, data, lang=lang, fmt="pdf", version=version, as_of=as_of_for(form_id, version)
                )
                with pikepdf.open(io.BytesIO(document)) as pdf:
                    for number, page in enumerate(pdf.pages, 1):
                        art = [float(v) for v in page.obj.ArtBox]
                        media = [float(v) for v in page.mediabox]
                        assert media[0] <= art[0] < art[2] <= media[2] and media[1] <= art[1] < art[3] <= media[3]
                        low, left = pdfextent.drawn_extent(page)
                        assert low >= art[1] - 1 and left >= art[0] - 1, f"{form_id} {lang} page {number}"
                        checked += 1
                    first = [float(v) for v in pdf.pages[0].obj.ArtBox]
                    assert pdfmark._content_extent(pdf, pdf.pages[0]) == (first[1], first[0])
    assert checked > 50
    use_engine(monkeypatch, "weasyprint")
    document = forms.render("referral", forms.example("referral"), lang="kk", fmt="pdf")
    with pikepdf.open(io.BytesIO(document)) as pdf:
        assert pdfmark._content_extent(pdf, pdf.pages[0]) == pdfextent.drawn_extent(pdf.pages[0])


@pytest.mark.parametrize("form_id, version, lang", document_cases())
def test_a_docx_marked_while_written_is_the_docx_marked_after(form_id, version, lang, monkeypatch):
    """The register adds a DOCX's mark while the package is written (its document.xml deflated
    once): the same bytes as the mark added to the finished file, on the fast path and on docxtpl's;
    the step travels to a render process."""
    import dataclasses
    import pickle

    from forms.postprocess.mark import docx_finish
    from forms.rendering.document import render
    from forms.rendering.docx import fast as docxfast
    from forms.rendering.request import RenderRequest
    from forms.validation.validate import check

    registry = forms.default_registry()
    spec = registry.form(form_id).version(version)
    data = forms.example(form_id, version)
    clean, errors = check(spec, data)
    assert not errors
    finish = pickle.loads(pickle.dumps(docx_finish(URL, lang)))
    request = RenderRequest(form_id, version, clean, lang, "docx", data=data)
    plain = render(registry, request)
    assert render(registry, dataclasses.replace(request, finish=finish)) == add_verification_mark(
        plain, "docx", URL, lang
    )

    def unavailable(*args, **kwargs):
        raise RuntimeError("the fast path is unavailable")

    monkeypatch.setattr(docxfast, "render", unavailable)  # docxtpl's path, then the mark
    reference = render(registry, request)
    assert render(registry, dataclasses.replace(request, finish=finish)) == add_verification_mark(
        reference, "docx", URL, lang
    )
