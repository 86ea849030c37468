"""API keys: ``Authorization: Bearer <key>``, checked against sha256 digests in constant time.

With no key configured the API is open (and ``nysan serve`` then listens on loopback only).
A key may be limited to scopes: ``read`` (GET), ``validate``, ``render`` (render and batch), and for
the register ``issue`` (issue, supersede), ``documents`` (metadata, files, data), ``revoke``,
``audit``, for cases ``cases`` (read) and ``case_actions`` (open a case, take any step: a key has no
role); it acts for its ``organisation``. Verification (``/api/v1/verify``) is public.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, g, request

from ..errors import RequestError

CHALLENGE = 'Bearer realm="nysan"'


# The register's endpoints (documents.py) and the scope each needs; verify.py's are public.
REGISTER_SCOPES = {
    "issue_document": "issue",
    "supersede_document": "issue",
    "get_document": "documents",
    "get_document_file": "documents",
    "get_document_data": "documents",
    "list_documents": "documents",
    "revoke_document": "revoke",
    "list_audit": "audit",
    "list_events": "audit",  # the feed: a part of the audit trail
    "open_case": "case_actions",
    "act_on_case": "case_actions",
    "get_case": "cases",
    "list_cases": "cases",
    "get_journal": "cases",
}
PUBLIC = ("verify_document", "match_document")


def scope_of(endpoint: str | None) -> str:
    name = (endpoint or "").rsplit(".", 1)[-1]
    if name in REGISTER_SCOPES:
        return REGISTER_SCOPES[name]
    if name in ("render", "render_batch"):
        return "render"
    if name == "validate":
        return "validate"
    return "read"


def find_key(presented: str, keys: list[dict]) -> dict | None:
    """The configured key whose digest matches; every digest is compared, each in constant time."""
    digest = hashlib.sha256(presented.encode("utf-8")).hexdigest()
    found = None
    for key in keys:
        if hmac.compare_digest(digest, key["sha256"]):
            found = key
    return found


def check_request() -> None:
    """Before every /api request: 401 without a valid key, 403 without the scope the route needs."""
    keys = current_app.config["API_KEYS"]
    if not keys or not request.path.startswith("/api/") or (request.endpoint or "").endswith(PUBLIC):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RequestError(401, "unauthorized", headers={"WWW-Authenticate": CHALLENGE})
    key = find_key(token.strip(), keys)
    if key is None:
        raise RequestError(401, "invalid_api_key", headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'})
    scope = scope_of(request.endpoint)
    if scope not in key["scopes"]:
        raise RequestError(
            403, "forbidden", headers={"WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope"'}, scope=scope
        )
    g.nysan_key = key["sha256"][:8]  # for the log: which key, never the key
    g.nysan_organisation = key.get("organisation") or "default"


def install_auth(app: Flask, blueprint) -> None:
    blueprint.before_request(check_request)
