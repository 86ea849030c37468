"""CSRF protection for every POST of the web forms: a synchronizer token.

A random token lives in Flask's session, which is a cookie signed with SECRET_KEY (itsdangerous),
HttpOnly and SameSite=Lax; every page form carries the same token in a hidden field. A POST whose
field does not match the session's token, or whose Origin header names another site, is refused
with 400. No extra framework is needed for this: one hidden field and one comparison.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import request, session

FIELD = "csrf_token"
SESSION_KEY = "csrf"


def token() -> str:
    """This session's token, made on first use."""
    value = session.get(SESSION_KEY)
    if not value:
        value = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return value


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        # Browsers omit Origin on some same-origin POSTs; "null" comes from sandboxed frames
        # and privacy modes. The token is the check that counts.
        return True
    return urlsplit(origin).netloc == request.host


def valid() -> bool:
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD, "")
    return bool(expected) and hmac.compare_digest(str(expected), sent) and _same_origin()
