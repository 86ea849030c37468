"""Sealing at rest: AES-256-GCM (``cryptography``) with a random 96-bit nonce per value.

A sealed value is ``b"\\x01" + nonce + ciphertext``; the associated data binds it to its document
and column, so a value copied onto another row does not open. The key is ``NYSAN_DATA_KEY``
(urlsafe base64 of 32 bytes, ``nysan data-key`` prints a new one); with SQLite and no key one is
generated into the state folder (mode 0600).
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DataKeyInvalid, DataKeyMissing

log = logging.getLogger("nysan.register")

FORMAT = b"\x01"
KEY_FILE = "data.key"


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise DataKeyInvalid() from None
    if len(key) != 32:
        raise DataKeyInvalid()
    return key


def load_key(configured: str | None, state_dir: Path, generate: bool) -> bytes:
    """The configured key; else the state folder's key file, made on first use when ``generate``."""
    if configured:
        return parse_key(configured)
    path = state_dir / KEY_FILE
    if path.exists():
        return parse_key(path.read_text(encoding="ascii"))
    if not generate:
        raise DataKeyMissing()
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = new_key()
    try:  # O_EXCL: of two processes starting at once, one writes the key and the other reads it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return parse_key(path.read_text(encoding="ascii"))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
    log.warning(
        "nysan: no NYSAN_DATA_KEY set: generated a data key in %s (mode 0600); back it up with the "
        "database, without it the stored documents cannot be read",
        path,
    )
    return parse_key(text)


class Sealer:
    def __init__(self, key: bytes):
        self._aead = AESGCM(key)

    def seal(self, plain: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return FORMAT + nonce + self._aead.encrypt(nonce, plain, context.encode("utf-8"))

    def open(self, sealed: bytes, context: str) -> bytes:
        if sealed[:1] != FORMAT:
            raise ValueError("unknown sealed value format")
        return self._aead.decrypt(sealed[1:13], sealed[13:], context.encode("utf-8"))
