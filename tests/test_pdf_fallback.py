"""The chunked PDF path is an optimisation: whatever goes wrong in it, the document is still made."""
import logging

from forms.rendering import pdf

from forms.rendering import pdfchunks


def test_a_failing_chunked_path_falls_back_to_the_plain_path(monkeypatch, caplog):
    html = ("<html><body><table><tbody>" + "<tr><td>Әбенов Қайрат 900101300017</td></tr>" * pdfchunks.MIN_ROWS
            + "</tbody></table></body></html>")

    def broken(*args, **kwargs):
        raise RuntimeError("Әбенов 900101300017")

    monkeypatch.setattr(pdfchunks, "workers", lambda: 2)
    monkeypatch.setattr(pdfchunks, "render", broken)
    with caplog.at_level(logging.WARNING, logger="nysan.pdf"):
        document = pdf.html_to_pdf(html)
    assert document == pdf.plain_html_to_pdf(html)
    assert "RuntimeError" in caplog.text
    assert "900101300017" not in caplog.text and "Әбенов" not in caplog.text
