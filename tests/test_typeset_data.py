"""The typesetter on data nobody shipped: random valid values (long names, unbreakable words,
hyphenated words wider than a column) give WeasyPrint's pages, or are declined to WeasyPrint —
never a different document."""

from __future__ import annotations

import io
import random

import pytest
from pypdf import PdfReader

import forms
from forms import typeset
from forms.rendering import pdf
from support.mutations import mutated_example
from support.text import normalise

CSS = forms.default_registry().templates_dir / "_layout" / "form.css"


def _pages(data: bytes) -> list[str]:
    return [normalise(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("form_id", ["referral", "placement-application", "referral-journal"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_values_give_weasyprints_pages_or_go_to_weasyprint(form_id, seed):
    rng = random.Random(f"{form_id}-{seed}")
    compared = 0
    for _ in range(4):
        data = mutated_example(form_id, rng)
        if data is None:
            continue
        html = forms.render(form_id, data, fmt="html", lang=rng.choice(["kk", "ru"])).decode("utf-8")
        try:
            fast = typeset.render(html, CSS, b"0" * 32)
        except typeset.NotSupported:
            continue  # e.g. a hyphenated word wider than its column: WeasyPrint lets it overflow
        assert _pages(fast) == _pages(pdf.plain_html_to_pdf(html, CSS))
        compared += 1
    assert compared, "every variant was declined or invalid: the test compared nothing"


def test_renders_in_threads_equal_renders_one_by_one():
    """The service renders in threads; the typesetter's shared memories must not mix documents."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random("threads")
    jobs = []
    for index in range(16):
        form_id = ["referral", "placement-application", "referral-journal"][index % 3]
        data = mutated_example(form_id, rng)
        if data is not None:
            jobs.append((form_id, data, "kk" if index % 2 else "ru"))
    from forms.typeset import pdfwrite, text

    def forget():  # both runs start from empty memories: the threads fill them at once
        text._MEMO.clear()
        pdfwrite._TJ_MEMO.clear()

    forget()
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda job: forms.render(job[0], job[1], lang=job[2]), jobs))
    forget()
    expected = [forms.render(form_id, data, lang=lang) for form_id, data, lang in jobs]
    assert len(jobs) >= 8 and got == expected
