"""The wording part of `nysan forms check`: the HTML (PDF) and the DOCX template of a language must
print the same words, and the kk templates every fragment of the act's text.

Both templates are compared on the form's example, as rendered: the words a reader sees, white space
normalised and nothing else (case and punctuation count). What is not document text in the HTML (its
<head>: <title>, CSS) is left out; a table heading is written once in either format (the PDF and Word
repeat it on each page themselves), so it is no difference. The act's kk text lives beside the spec,
``schemas/<form>/<version>.legal.kk.txt``, one fragment per line.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from forms.authoring.diff import docx_text, html_text, word_diff
from forms.authoring.problems import Checker
from forms.catalogue.spec import FormVersion


def legal_text_path(spec: FormVersion, version: str | None = None) -> Path:
    """The act's kk text of a version, beside its spec."""
    return spec.path.with_name(f"{version or spec.version}.legal.kk.txt")


def normalise(text: str) -> str:
    """NFC, no soft hyphens, no blank underscores (a blank is a line in HTML, underscores in Word),
    one space for any run of white space."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = re.sub(r"_{2,}", " ", text)
    return " ".join(text.split())


def legal_fragments(path: Path) -> list[tuple[int, str]]:
    """(line number, fragment) of a legal text file; blank lines are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(number, normalise(line)) for number, line in enumerate(lines, 1) if normalise(line)]


def compare(
    checker: Checker, spec: FormVersion, lang: str, html_path: Path, html: bytes, docx_path: Path, docx_data: bytes
) -> None:
    """A problem for each place where the two templates print other words, and (kk) for each
    fragment of the act's text that a template does not print."""
    texts = {html_path: normalise(html_text(html.decode("utf-8"))), docx_path: normalise(docx_text(docx_data))}
    for change in word_diff(texts[html_path].split(), texts[docx_path].split()):
        checker.add(
            docx_path,
            None,
            "wording-html-docx",
            f"the DOCX prints {_quote(change.added)} where {checker.rel(html_path)} prints "
            f"{_quote(change.removed)}, in «… {change.before} [here] {change.after} …» "
            f"(the {lang} example, as rendered)",
            "make both templates say the act's words: correct the one that differs from the act "
            "(in Word for the DOCX), then run nysan forms check again",
        )
    legal = legal_text_path(spec)
    if lang != "kk" or not legal.exists():
        return
    for path, text in texts.items():
        for line, fragment in legal_fragments(legal):
            if fragment not in text:
                checker.add(
                    path,
                    None,
                    "legal-fragment-missing",
                    f"the act's text «{fragment}» ({checker.rel(legal)}, line {line}) is not in what "
                    "this template prints for the example",
                    "print the act's words exactly as the line has them; if the act was amended, "
                    f"correct the line in {checker.rel(legal)} too",
                )


def _quote(words: str) -> str:
    return f"«{words}»" if words else "nothing"
