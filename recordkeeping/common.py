"""What the register's operations share: who acts, the time, digests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who acts: the organisation whose documents they see, and a name for the audit trail
    (an API key's digest prefix, ``local`` without keys, ``public`` for verification)."""

    organisation: str = "default"
    name: str = "local"
    # An account's role (users.ROLES) for the steps of cases; None for an API key, which may take any step.
    role: str | None = None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def iso(moment: dt.datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
