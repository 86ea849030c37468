"""Where the declarative data (schemas, templates) and the bundled assets live.

Schemas and templates sit at the top of the repository so that legal staff find them; an installed
wheel carries them as package data under ``forms/_data``. The ``DATA_DIR`` setting
(``forms.settings``) points the engine at another copy (a working copy of an amendment).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

ASSETS_DIR = Path(str(resources.files("forms") / "assets"))
FONTS_DIR = ASSETS_DIR / "fonts"


@lru_cache(maxsize=1)
def default_data_dir() -> Path:
    """The copy shipped with the code, found once (the package lookup cost ~0.5 ms a call)."""
    packaged = resources.files("forms") / "_data"
    if packaged.is_dir():
        return Path(str(packaged))
    # A source checkout or an editable install: the repository root.
    return Path(__file__).resolve().parents[2]
