"""The typesetter on data nobody shipped: random valid values (long names, unbreakable words,
hyphenated words wider than a column) give WeasyPrint's pages, or are declined to WeasyPrint —
never a different document."""
from __future__ import annotations

import copy
import io
import random

import pytest
from pypdf import PdfReader

import forms
from forms.rendering import pdf
from forms import typeset
from support.text import normalise

CSS = forms.default_registry().templates_dir / "_layout" / "form.css"
LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВГДЕЖЗӘҒҚҢӨҰҮҺІ"
KEEP = ("date", "_on", "iin", "number")  # typed values the spec checks: left as in the example


def _words(rng: random.Random, limit: int) -> str:
    words: list[str] = []
    while True:
        word = "".join(rng.choice(LETTERS) for _ in range(rng.choice([1, 3, 5, 8, 12, 20, 35])))
        if rng.random() < 0.15:
            word += rng.choice([",", ".", ")", "-" + "".join(rng.choice(LETTERS) for _ in range(4))])
        if len(" ".join([*words, word])) > limit:
            break
        words.append(word)
        if rng.random() < 0.2:
            break
    return " ".join(words) or "а"


def _mutate(value, rng: random.Random):
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and not key.endswith(KEEP) and rng.random() < 0.8:
                value[key] = _words(rng, rng.choice([20, 60, 100]))
            else:
                _mutate(item, rng)
    elif isinstance(value, list):
        for item in value:
            _mutate(item, rng)


def _pages(data: bytes) -> list[str]:
    return [normalise(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("form_id", ["referral", "placement-application", "referral-journal"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_values_give_weasyprints_pages_or_go_to_weasyprint(form_id, seed):
    rng = random.Random(f"{form_id}-{seed}")
    compared = 0
    for _ in range(4):
        data = copy.deepcopy(forms.example(form_id))
        _mutate(data, rng)
        if forms.validate(form_id, data):
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
        data = copy.deepcopy(forms.example(form_id))
        _mutate(data, rng)
        if not forms.validate(form_id, data):
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
