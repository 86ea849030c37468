"""The typesetter is an optimisation: whatever it declines or fails on, the document is still made,
by WeasyPrint, exactly as WeasyPrint alone makes it, and no personal data reaches the log."""

import logging

from forms import typeset
from forms.rendering import pdf

ROWS = "<tr><td>Әбенов Қайрат 900101300017</td></tr>" * 40


def test_a_failing_typesetter_falls_back_to_weasyprint(monkeypatch, caplog):
    html = f"<html><body><table><tbody>{ROWS}</tbody></table></body></html>"

    def broken(*args, **kwargs):
        raise RuntimeError("Әбенов 900101300017")

    monkeypatch.setattr(typeset, "render", broken)
    with caplog.at_level(logging.DEBUG, logger="nysan.pdf"):
        document = pdf.html_to_pdf(html)
    assert document == pdf.plain_html_to_pdf(html)
    assert "RuntimeError" in caplog.text
    assert "900101300017" not in caplog.text and "Әбенов" not in caplog.text


def test_a_declined_document_is_weasyprints_and_the_log_names_only_the_construct(caplog):
    html = (
        f'<html><body><ul><li>Әбенов</li></ul><table style="transform:scale(2)"><tbody>{ROWS}</tbody>'
        "</table></body></html>"
    )
    with caplog.at_level(logging.DEBUG, logger="nysan.pdf"):
        document = pdf.html_to_pdf(html)
    assert document == pdf.plain_html_to_pdf(html)
    assert "left the typesetter" in caplog.text and "reason=ul_element" in caplog.text  # the construct
    assert "900101300017" not in caplog.text and "Әбенов" not in caplog.text
