"""Service configuration: the engine's settings (``forms.settings.ENGINE``) and the service's own,
declared once below; defaults, then ``NYSAN_*`` environment variables, then the mapping given to
``create_app(config)``. A bad value is a ``forms.SettingsError`` naming the variable and what it
expects. Keys that are not settings (Flask's own, such as ``TESTING``) pass through.

API keys are never kept in clear: each entry of ``API_KEYS`` (a plain key, ``"sha256:<hex>"``, or a
mapping ``{"key" | "sha256": ..., "scopes": [...]}``) is turned into ``{"sha256", "scopes"}`` on load.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import socket
from typing import Any

from forms.settings import ENGINE, Setting, choice, integer, optional_text, positive_number, resolve, text, text_list
from recordkeeping.settings import RECORDS

SCOPES = ("read", "validate", "render", "issue", "documents", "revoke", "audit", "cases", "case_actions")
_HASHED = re.compile(r"^sha256:([0-9a-f]{64})$")


def _api_keys(value: Any) -> list[dict]:
    return hash_keys(text_list(value))


def switch(value: Any) -> bool:
    """on/off (also true/false, yes/no, 1/0) from the environment, or a bool from a mapping."""
    if isinstance(value, bool):
        return value
    return {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}[
        str(value).strip().lower()
    ]


def _log_level(value: Any) -> str:
    return choice("debug", "info", "warning", "error", "critical")(value).upper()


SERVICE = (
    Setting("HOST", "127.0.0.1", text, "a host name or address", "where `nysan serve` listens"),
    Setting("PORT", 8000, integer(1, 65535), "a port number (1-65535)", "the port `nysan serve` listens on"),
    Setting("WORKERS", 2, integer(1), "a whole number of at least 1", "gunicorn worker processes"),
    Setting(
        "MAX_CONTENT_LENGTH",
        2 * 1024 * 1024,
        integer(1),
        "a whole number of bytes, at least 1",
        "request body limit in bytes (413 beyond)",
    ),
    Setting(
        "MAX_ROWS",
        10000,
        integer(1),
        "a whole number of at least 1",
        "entries of any one list in one document (413 beyond); an upload's rows too",
    ),
    Setting("MAX_BATCH", 50, integer(1), "a whole number of at least 1", "documents in one batch (413 beyond)"),
    Setting(
        "MAX_REQUEST_ROWS",
        10000,
        integer(1),
        "a whole number of at least 1",
        "rows one request may render: every list's entries summed over all its documents (413 beyond)",
    ),
    Setting(
        "RENDER_TIMEOUT",
        30.0,
        positive_number,
        "a number of seconds greater than 0",
        "seconds one request may spend rendering (503 with `Retry-After` beyond)",
    ),
    Setting(
        "RENDER_SLOTS",
        2,
        integer(1),
        "a whole number of at least 1",
        "renders running at once in a worker; more are refused with 503 `busy`",
    ),
    Setting(
        "RENDER_INLINE_ROWS",
        20,
        integer(0),
        "a whole number, 0 or more",
        "a document with at most this many rows renders in the request's own thread (a few ms); longer ones "
        "and batches in a render process, killed at the deadline; 0: every render in a render process",
    ),
    Setting(
        "API_KEYS",
        [],
        _api_keys,
        "keys or sha256:<64 hex digits> digests, comma-separated or a JSON list (scopes among "
        + ", ".join(SCOPES)
        + ")",
        "comma-separated (or a JSON list): keys, or `sha256:<hex>` digests of keys",
        secret=True,
    ),
    Setting(
        "SECRET_KEY",
        None,
        optional_text,
        "text",
        "signs the web forms' sessions; random per process when unset",
        secret=True,
    ),
    Setting(
        "WEB",
        True,
        switch,
        "on or off",
        "the clerks' web forms; `off` for an API-only service "
        "(beyond loopback the web needs a clerk's account: sign-in)",
    ),
    Setting(
        "HTTPS", False, switch, "on or off", "served over HTTPS (e.g. behind nginx): cookies are sent with `Secure`"
    ),
    Setting(
        "LOG_LEVEL", "INFO", _log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL", "level of the JSON request log"
    ),
    # The serving model (service/buffering.py): requests are read whole before a thread runs them.
    # 4, not more: a worker's threads share one interpreter lock, and renders are CPU-bound (two
    # workers of 4 threads render a sixth more one-page PDFs a second than two of 8 on two cores).
    Setting(
        "THREADS",
        4,
        integer(1),
        "a whole number of at least 1",
        "request threads per worker (they run the app only: requests arrive read whole)",
    ),
    Setting(
        "MAX_CONNECTIONS",
        200,
        integer(1),
        "a whole number of at least 1",
        "open connections per worker; beyond, 503 `busy` at once",
    ),
    Setting(
        "REQUEST_READ_TIMEOUT",
        30.0,
        positive_number,
        "a number of seconds greater than 0",
        "seconds a client has to send its whole request, plus a second for every `REQUEST_MIN_RATE` bytes "
        "it sent; the connection is closed beyond",
    ),
    Setting(
        "REQUEST_MIN_RATE",
        1024,
        integer(1),
        "a whole number of bytes a second, at least 1",
        "bytes a second a slow client must keep sending beyond `REQUEST_READ_TIMEOUT` (a large upload)",
    ),
)


# The service's settings of the register's use (the register's own are recordkeeping.settings.RECORDS).
REGISTER = (
    Setting(
        "PUBLIC_URL",
        None,
        optional_text,
        "an absolute http(s) URL",
        "base of the verification URL printed in the QR code, e.g. `https://nysan.example.kz`",
    ),
    Setting(
        "VERIFY_RATE_LIMIT",
        60,
        integer(1),
        "a whole number of at least 1",
        "verifications per minute per client address (429 beyond)",
    ),
    # Sign-in (service/web/signin.py): each attempt costs a scrypt hash (~0.1 s of CPU); in memory per
    # worker, so the service as a whole allows WORKERS times as many.
    Setting(
        "SIGN_IN_RATE_LIMIT",
        10,
        integer(1),
        "a whole number of at least 1",
        "sign-in attempts per minute per client address, in each worker (429 with `Retry-After` beyond)",
    ),
    Setting(
        "SIGN_IN_TOTAL_RATE_LIMIT",
        60,
        integer(1),
        "a whole number of at least 1",
        "sign-in attempts per minute from all addresses together, in each worker (429 with `Retry-After` beyond)",
    ),
    Setting(
        "SIGN_IN_HASHES",
        1,
        integer(1),
        "a whole number of at least 1",
        "password hashes running at once in a worker; another sign-in meanwhile gets 503 with `Retry-After` at once",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        integer(0),
        "a whole number, 0 or more",
        "proxies in front of the service (nginx: `1`): the client address for the limits per address is then "
        "taken from `X-Forwarded-For`",
    ),
)
SETTINGS = ENGINE + SERVICE + RECORDS + REGISTER


def load_config(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Every setting's value, then the mapping's other keys (Flask's) as they are."""
    config = {**(overrides or {}), **resolve(SETTINGS, overrides, environ)}
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = secrets.token_hex(32)
    return config


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def hash_keys(entries: list) -> list[dict]:
    """Every entry as ``{"sha256": hex, "scopes": [...], "organisation"}``; a plain key is hashed here
    and dropped. A key sees the register's documents of its organisation only (default ``default``)."""
    hashed = []
    for entry in entries:
        scopes = list(SCOPES)
        organisation = "default"
        if isinstance(entry, dict):
            # Scopes given are the key's only ones: an empty list grants nothing. The known scopes are
            # SCOPES alone (a new endpoint's scope is added there), so a typo fails at start.
            scopes = list(entry["scopes"]) if "scopes" in entry else list(SCOPES)
            if not all(isinstance(scope, str) for scope in scopes):
                raise ValueError("API key scopes must be names")
            organisation = str(entry.get("organisation") or organisation)
            unknown = set(scopes) - set(SCOPES)
            if unknown:
                raise ValueError(f"API key scopes must be among {', '.join(SCOPES)}; not {', '.join(sorted(unknown))}")
            if "sha256" in entry:
                digest = str(entry["sha256"]).removeprefix("sha256:").lower()
                if not _HASHED.match(f"sha256:{digest}"):
                    raise ValueError("an API key's sha256 must be 64 hexadecimal digits")
            else:
                entry = str(entry["key"])
                digest = None
        if isinstance(entry, str):
            match = _HASHED.match(entry.strip().lower())
            digest = match.group(1) if match else hash_key(entry.strip())
        hashed.append({"sha256": digest, "scopes": scopes, "organisation": organisation})
    return hashed


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback one (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


class UnsafeBind(SystemExit):
    pass


def check_bind(host: str, config: dict, accounts: bool = False) -> None:
    """Refuse to listen beyond loopback without API keys, or with the web forms on while no clerk's
    account exists (``accounts``: then every web page needs sign-in): the service would be open to anyone."""
    if is_loopback(host):
        return
    if config.get("WEB", True) and not accounts:
        raise UnsafeBind(
            f"nysan: refusing to listen on {host}: no clerk's account exists, so the web forms have no sign-in "
            "and anyone who can reach them could render and upload personal data. Create the first account "
            "(`nysan users add NAME --org ORG --role admin`), listen on 127.0.0.1 (the default), or set "
            "NYSAN_WEB=off to serve the API alone (with NYSAN_API_KEYS)."
        )
    if not config.get("API_KEYS"):
        raise UnsafeBind(
            f"nysan: refusing to listen on {host}: no API keys are configured, so the service would be "
            "open to anyone who can reach it. Listen on 127.0.0.1 (the default), or set NYSAN_API_KEYS "
            "(see `nysan api-key`)."
        )
