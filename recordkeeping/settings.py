"""The system of record's settings, declared once here (the service's configuration adds them to its
own, ``service/config.py``): where the database is, the data key, the printed numbers, retention.
Each is read from ``NYSAN_<NAME>`` or a mapping, like the engine's (``forms.settings``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms.settings import Setting, integer, optional_text, resolve

if TYPE_CHECKING:
    from .db import Database

SQLITE_FILE = "register.sqlite3"


def default_state_dir() -> Path:
    """``NYSAN_STATE_DIR``'s default: the per-user data folder ($XDG_DATA_HOME/nysan, else ~/.local/share/nysan)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "nysan"


def database_url(configured: str | None, state_dir: Path) -> str:
    return configured or f"sqlite:///{state_dir / SQLITE_FILE}"


def _json_object(value: Any) -> dict:
    """A mapping as it is, or the environment's JSON object."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    if not isinstance(value, dict):
        raise TypeError(value)
    return value


RECORDS = (
    Setting("STATE_DIR", None, optional_text, "a folder path", "the register's SQLite file and its generated data key"),
    Setting(
        "DATABASE_URL",
        None,
        optional_text,
        "a SQLAlchemy URL such as postgresql+psycopg://user@host/db",
        "the register's database; at scale `postgresql+psycopg://user@host/db`",
        secret=True,
    ),
    Setting(
        "DATA_KEY",
        None,
        optional_text,
        "urlsafe base64 of 32 bytes (`nysan data-key`)",
        "AES-GCM key of stored payloads and files: urlsafe base64 of 32 bytes (`nysan data-key`)",
        secret=True,
    ),
    Setting(
        "RETENTION_DAYS",
        0,
        integer(0),
        "a whole number of days, 0 or more",
        "what `nysan register purge` erases without `--older-than`",
    ),
    Setting(
        "NUMBER_FORMATS",
        {},
        _json_object,
        'a JSON object: organisation (or "*") to a format',
        'printed number per organisation (`"*"`: all), JSON: `{"*": "{year}/{number:04d}"}`; `{number}`, '
        "`{year}`, `{form}`, `{organisation}`",
    ),
)


@dataclass(frozen=True, slots=True)
class RecordSettings:
    """The values of ``RECORDS``."""

    state_dir: Path = field(default_factory=default_state_dir)
    database_url: str | None = None
    data_key: str | None = None
    retention_days: int = 0
    number_formats: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RecordSettings:
        """From a resolved configuration (the service's), or from the environment for keys it lacks."""
        values = {**resolve(RECORDS, {}), **{s.name: config[s.name] for s in RECORDS if s.name in config}}
        return cls(
            Path(values["STATE_DIR"]) if values["STATE_DIR"] else default_state_dir(),
            values["DATABASE_URL"],
            values["DATA_KEY"],
            values["RETENTION_DAYS"],
            dict(values["NUMBER_FORMATS"] or {}),
        )

    def may_exist(self) -> bool:
        """False for a SQLite register not created yet (asking it anything would create it)."""
        url = database_url(self.database_url, self.state_dir)
        return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()

    def database(self) -> Database:
        """The database these settings name (SQLite in the state folder unless a URL is given)."""
        from .db import Database  # SQLAlchemy only when a database is asked for

        return Database(database_url(self.database_url, self.state_dir))
