"""The service's way to the system of record (``recordkeeping``), shared by the API and the web:
the app's register, opened once per process with the service's settings, and what both answer with.

A database that cannot be reached is ``RegisterUnavailable`` (503 with ``Retry-After``, never 500):
PostgreSQL restarted under load costs the requests meanwhile, and the next ones go through on fresh
connections.
"""

from __future__ import annotations

import re
import threading

from flask import Flask, current_app, request

from recordkeeping import DocumentNotFound, Register, RegisterError
from recordkeeping.settings import RecordSettings

from .rendering import gated_renderer

RETRY_SECONDS = 5  # Retry-After of an unavailable register
MAX_REASON = 500  # characters of a revocation's reason
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # a verification token's shape (144 bits are 24 characters)
_opening = threading.Lock()


def open_register(app: Flask) -> Register:
    """The app's register, opened once (SQLite created and migrated; PostgreSQL checked)."""
    found = app.extensions.get("nysan.register")
    if found is None:
        with _opening:
            found = app.extensions.get("nysan.register")
            if found is None:
                found = Register.open(
                    app.extensions["nysan.registry"],
                    RecordSettings.from_config(app.config),
                    renderer=gated_renderer(app),
                )
                app.extensions["nysan.register"] = found
    return found


def current_register() -> Register:
    """The register of the app handling this request."""
    return open_register(current_app._get_current_object())


def organisation_record(organisation: str) -> dict | None:
    """The organisation's record in force as a plain mapping (what ``forms.prefill`` reads, unless it
    is a ``placeholder``); None without one, or without a register to ask (a SQLite register is not
    created by asking)."""
    from recordkeeping.organisations import Organisations

    app = current_app._get_current_object()
    if not RecordSettings.from_config(app.config).may_exist():
        return None
    try:
        return Organisations(open_register(app).db).get(organisation)
    except RegisterError:  # unreachable: the form opens empty, as before organisations had records
        return None


def verify_base() -> str:
    """Where verification URLs point: ``PUBLIC_URL``, else the address this request came to."""
    return current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")


def known_token(token: str) -> str:
    """A token of a verification URL's shape; anything else is "not found" without asking the database."""
    if not TOKEN.match(token):
        raise DocumentNotFound(id="")
    return token


def document_filename(doc: dict) -> str:
    """A registered document's download name; a printed number may use any characters its format
    has, so the header keeps only plain ones."""
    name = f"{doc['form']}-{doc['number']}-{doc['lang']}.{doc['format']}"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


# bytes of a file sent to be compared with the one issued: a long journal, beyond MAX_CONTENT_LENGTH
MAX_FILE = 64 * 1024 * 1024
