"""Service configuration: embedded defaults, then ``NYSAN_*`` environment variables, then the
mapping given to ``create_app(config)``.

API keys are never kept in clear: each entry of ``API_KEYS`` (a plain key, ``"sha256:<hex>"``, or a
mapping ``{"key" | "sha256": ..., "scopes": [...]}``) is turned into ``{"sha256", "scopes"}`` on load.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import secrets
import socket
from typing import Any

DEFAULTS: dict[str, Any] = {
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKERS": 2,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,   # request body limit (413 beyond)
    "MAX_ROWS": 10000,                       # entries of any one list in one document (413 beyond)
    "MAX_BATCH": 50,                         # documents in one batch request (413 beyond)
    "RENDER_TIMEOUT": 30.0,                  # seconds per render request (503 + Retry-After beyond)
    "RENDER_SLOTS": 2,                       # renders running at once per process (503 + Retry-After beyond)
    "API_KEYS": [],                          # hashed API keys ("sha256:<hex>"); plain keys are hashed on load
    "SECRET_KEY": None,                      # session/CSRF signing; random per process when unset
    "DATA_DIR": None,                        # another copy of schemas/ and templates/
    "LOG_LEVEL": "INFO",
    "THREADS": 8,                            # request threads per worker process (they only run the app)
    "MAX_CONNECTIONS": 200,                  # open connections per worker process (503 beyond)
    "REQUEST_READ_TIMEOUT": 30.0,            # seconds a client has to send a whole request (closed beyond)
}

SCOPES = ("read", "validate", "render")
_HASHED = re.compile(r"^sha256:([0-9a-f]{64})$")


def _parse(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, list):
        value = value.strip()
        return json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",") if v.strip()]
    return value


def load_config(overrides: dict | None = None, environ: dict | None = None) -> dict:
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = environ.get(f"NYSAN_{key}")
        if raw is not None:
            config[key] = _parse(raw, default)
    config.update(overrides or {})
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secrets.token_hex(32)
    config["API_KEYS"] = hash_keys(config.get("API_KEYS") or [])
    return config


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def hash_keys(entries: list) -> list[dict]:
    """Every entry as ``{"sha256": hex, "scopes": [...]}``; a plain key is hashed here and dropped."""
    hashed = []
    for entry in entries:
        scopes = list(SCOPES)
        if isinstance(entry, dict):
            scopes = list(entry.get("scopes") or SCOPES)
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
        hashed.append({"sha256": digest, "scopes": scopes})
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


def check_bind(host: str, config: dict) -> None:
    """Refuse to listen beyond loopback without API keys: the service would be open to anyone."""
    if not config.get("API_KEYS") and not is_loopback(host):
        raise UnsafeBind(
            f"nysan: refusing to listen on {host}: no API keys are configured, so the service would be "
            "open to anyone who can reach it. Listen on 127.0.0.1 (the default), or set NYSAN_API_KEYS "
            "(see `nysan api-key`).")
