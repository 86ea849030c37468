"""Service configuration: embedded defaults, then ``NYSAN_*`` environment variables, then the
mapping given to ``create_app(config)``."""
from __future__ import annotations

import json
import os
import secrets
from typing import Any

DEFAULTS: dict[str, Any] = {
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKERS": 2,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,   # request body limit (413 beyond)
    "MAX_ROWS": 10000,                       # rows of one list in one document
    "MAX_BATCH": 50,                         # documents in one batch request
    "RENDER_TIMEOUT": 30,                    # seconds per render request (503 + Retry-After beyond)
    "API_KEYS": [],                          # hashed API keys ("sha256:<hex>"); plain keys are hashed on load
    "SECRET_KEY": None,                      # session/CSRF signing; random per process when unset
    "DATA_DIR": None,                        # another copy of schemas/ and templates/
    "LOG_LEVEL": "INFO",
}


def _parse(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
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
    return config
