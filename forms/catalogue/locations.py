"""Where the declarative data (schemas, templates) and the bundled assets live.

Schemas and templates sit at the top of the repository so that legal staff find them; an installed
wheel carries them as package data under ``forms/_data``. ``NYSAN_DATA_DIR`` points the engine at
another copy (a working copy of an amendment, a test's temporary copy).
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

ASSETS_DIR = Path(str(resources.files("forms") / "assets"))
FONTS_DIR = ASSETS_DIR / "fonts"


def default_data_dir() -> Path:
    return _data_dir(os.environ.get("NYSAN_DATA_DIR") or "")


@lru_cache(maxsize=16)
def _data_dir(override: str) -> Path:
    """Resolved once per setting: every render asks (the package lookup cost ~0.5 ms a call)."""
    if override:
        return Path(override).resolve()
    packaged = resources.files("forms") / "_data"
    if packaged.is_dir():
        return Path(str(packaged))
    # A source checkout or an editable install: the repository root.
    return Path(__file__).resolve().parents[2]
