"""Random valid data nobody shipped: a form's example with its free-text values replaced by random
words (long names, unbreakable words, hyphenated words wider than a column), for the tests that
check the typesetter and PDF/A on data of every shape."""

from __future__ import annotations

import copy
import random

import forms

LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВГДЕЖЗӘҒҚҢӨҰҮҺІ"
KEEP = ("date", "_on", "iin", "number")  # typed values the spec checks: left as in the example


def random_words(rng: random.Random, limit: int) -> str:
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


def mutate(value, rng: random.Random):
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and not key.endswith(KEEP) and rng.random() < 0.8:
                value[key] = random_words(rng, rng.choice([20, 60, 100]))
            else:
                mutate(item, rng)
    elif isinstance(value, list):
        for item in value:
            mutate(item, rng)


def mutated_example(form_id: str, rng: random.Random) -> dict | None:
    """The form's example with random words in its free text, or None when they made it invalid."""
    data = copy.deepcopy(forms.example(form_id))
    mutate(data, rng)
    return None if forms.validate(form_id, data) else data
