"""The register's part of /openapi.json: its paths (documents, audit, verification) and bodies."""

from __future__ import annotations

from . import schemas as s

DATE = {"type": "string", "format": "date"}
NULLABLE_TEXT = {"type": ["string", "null"]}
DOCUMENT = {
    "type": "object",
    "required": [
        "id",
        "number",
        "form",
        "version",
        "lang",
        "format",
        "status",
        "issued_at",
        "organisation",
        "sha256",
        "verify_url",
        "links",
    ],
    "properties": {
        "id": {"type": "string"},
        "number": {
            "type": "string",
            "description": "The registration number as printed (per organisation x form x calendar year, without gaps)",
        },
        "form": {"type": "string"},
        "version": {"type": "string"},
        "lang": s.LANGS,
        "format": s.FORMATS,
        "status": {"type": "string", "enum": ["issued", "revoked", "superseded"]},
        "issued_at": {"type": "string", "format": "date-time"},
        "organisation": {"type": "string"},
        "organisation_name": {
            "type": "string",
            "description": "The organisation's official name as it was at issue, in `?lang=` (kk by default)",
        },
        "sha256": {"type": "string", "description": "Digest of the file as issued"},
        "size": {"type": "integer"},
        "verify_url": {"type": "string", "description": "The URL in the document's QR code"},
        "supersedes": NULLABLE_TEXT,
        "superseded_by": NULLABLE_TEXT,
        "revoked_at": NULLABLE_TEXT,
        "revoked_reason": NULLABLE_TEXT,
        "purged_at": {**NULLABLE_TEXT, "description": "When the retention period erased its data and file"},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
COMPONENTS = {
    "Document": DOCUMENT,
    "DocumentList": {
        "type": "object",
        "required": ["documents", "next"],
        "properties": {
            "documents": {"type": "array", "items": s.ref("Document")},
            "next": {**NULLABLE_TEXT, "description": "cursor of the next page"},
        },
    },
    "DocumentData": {
        "type": "object",
        "required": ["id", "form", "version", "data"],
        "properties": {
            "id": {"type": "string"},
            "form": {"type": "string"},
            "version": {"type": "string"},
            "data": {"type": "object"},
        },
    },
    "Verification": {
        "type": "object",
        "required": ["status", "form", "title", "number", "issued_at", "organisation", "sha256"],
        "description": "What anyone may learn of a registered document: never any personal data",
        "properties": {
            "status": {"type": "string", "enum": ["issued", "revoked", "superseded"]},
            "form": {"type": "string"},
            "title": {"type": "string"},
            "number": {"type": "string"},
            "issued_at": {"type": "string", "format": "date-time", "description": "UTC"},
            "organisation": {"type": "string"},
            "organisation_name": {
                "type": "string",
                "description": "The organisation's official name as it was at issue, in `?lang=` (kk by default); "
                "its id for a document issued before organisations had records",
            },
            "sha256": {"type": "string"},
            "superseded_by": {
                "type": "object",
                "properties": {"number": {"type": "string"}, "verify_url": {"type": "string"}},
            },
        },
    },
    "Match": {"type": "object", "required": ["match"], "properties": {"match": {"type": "boolean"}}},
    "AuditEvents": {
        "type": "object",
        "required": ["events", "next"],
        "properties": {
            "next": {"type": ["integer", "null"], "description": "`after` of the next page"},
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["seq", "at", "actor", "organisation", "document", "action", "hash"],
                    "properties": {
                        "seq": {"type": "integer"},
                        "at": {"type": "string"},
                        "actor": {"type": "string"},
                        "organisation": {"type": "string"},
                        "document": NULLABLE_TEXT,
                        "action": {"type": "string"},
                        "hash": {"type": "string"},
                    },
                },
            },
        },
    },
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


LANG_OF_NAMES = _query(
    "lang", {"type": "string", "enum": ["kk", "ru"], "default": "kk"}, "Language of organisation_name"
)


def add_paths(spec, op, ok, form_ids: list[str]) -> None:
    """``op(summary, responses, params, body, errors, tags)`` and ``ok(description, schema)`` are
    openapi.py's, so the register's operations carry the same security and error responses."""
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema)
    doc_id = _path("doc_id", "The document's id")
    token = _path("token", "The token of the document's verification URL")
    created = {
        "description": "Issued",
        "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
        **_json(s.ref("Document")),
    }
    issue_body = {
        "required": True,
        **_json(
            {
                "type": "object",
                "required": ["form", "data"],
                "additionalProperties": False,
                "properties": {
                    "form": {"type": "string", "enum": form_ids},
                    "data": {
                        "type": "object",
                        "description": "The form's data. Fields the form's spec maps to the organisation's "
                        "record (`prefill`: e.g. the referral's `head_name`, a contract's `organisation_name`) "
                        "are filled from the record of the key's organisation, in `lang`, when left out, "
                        "before validation; a value given always wins.",
                    },
                    "lang": {**s.LANGS, "default": "kk"},
                    "format": {**s.FORMATS, "default": "pdf"},
                    "version": {"type": "string"},
                    "as_of": DATE,
                },
            }
        ),
    }
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": "A retry with the same key and body returns the first document; "
        "the same key with another body is 409",
    }
    tags = ("register",)
    spec.path(
        path="/api/v1/documents",
        operations={
            "post": op(
                "Issue a document: validate, number, render, store (scope issue)",
                {"201": created},
                [idempotency],
                issue_body,
                ("400", "404", "409", "413", "415", "422", "503"),
                tags,
            ),
            "get": op(
                "Issued documents, newest first (scope documents)",
                {"200": ok("A page", s.ref("DocumentList"))},
                [
                    _query("form", {"type": "string"}, "Only this form"),
                    _query(
                        "status", {"type": "string", "enum": ["issued", "revoked", "superseded"]}, "Only this status"
                    ),
                    _query("number", {"type": "string"}, "The number as printed"),
                    _query("issued_from", DATE, "Issued on or after (Asia/Almaty)"),
                    _query("issued_to", DATE, "Issued on or before (Asia/Almaty)"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "Page size"),
                    _query("cursor", {"type": "string"}, "`next` of the previous page"),
                ],
                errors=("400", "503"),
                tags=tags,
            ),
        },
    )
    spec.path(
        path="/api/v1/documents/{doc_id}",
        operations={
            "get": op(
                "A document's metadata (scope documents)",
                {"200": ok("The document", s.ref("Document"))},
                [doc_id, LANG_OF_NAMES],
                errors=("404", "503"),
                tags=tags,
            )
        },
    )
    spec.path(
        path="/api/v1/documents/{doc_id}/file",
        operations={
            "get": op(
                "The file exactly as issued (scope documents)",
                {"200": {"description": "The file", "content": s.document_content()}},
                [doc_id],
                errors=("404", "410", "503"),
                tags=tags,
            )
        },
    )
    spec.path(
        path="/api/v1/documents/{doc_id}/data",
        operations={
            "get": op(
                "The data the document was issued with (scope documents)",
                {"200": ok("The data", s.ref("DocumentData"))},
                [doc_id],
                errors=("404", "410", "503"),
                tags=tags,
            )
        },
    )
    spec.path(
        path="/api/v1/documents/{doc_id}/revoke",
        operations={
            "post": op(
                "Revoke a document in force (scope revoke)",
                {"200": ok("Revoked", s.ref("Document"))},
                [doc_id],
                {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "required": ["reason"],
                            "additionalProperties": False,
                            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
                        }
                    ),
                },
                ("400", "404", "409", "415", "422", "503"),
                tags,
            )
        },
    )
    spec.path(
        path="/api/v1/documents/{doc_id}/supersede",
        operations={
            "post": op(
                "Issue a corrected document in its place: the old one becomes superseded (scope issue)",
                {"201": created},
                [doc_id],
                {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "required": ["data"],
                            "additionalProperties": False,
                            "properties": {"data": {"type": "object"}, "lang": s.LANGS, "format": s.FORMATS},
                        }
                    ),
                },
                ("400", "404", "409", "413", "415", "422", "503"),
                tags,
            )
        },
    )
    spec.path(
        path="/api/v1/audit",
        operations={
            "get": op(
                "The audit trail of the organisation, or of one document (scope audit)",
                {"200": ok("Events, oldest first", s.ref("AuditEvents"))},
                [
                    _query("document", {"type": "string"}, "Only this document's events"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "At most"),
                    _query(
                        "after",
                        {"type": "integer", "minimum": 0},
                        "Only events after this one (`next` of the previous page)",
                    ),
                ],
                errors=("400", "503"),
                tags=tags,
            )
        },
    )
    public = {"security": [{}], "tags": ["verification"]}
    spec.path(
        path="/api/v1/verify/{token}",
        operations={
            "get": {
                "summary": "Verify a document (public, rate-limited; no personal data)",
                **public,
                "parameters": [token, LANG_OF_NAMES],
                "responses": {
                    "200": ok("The document's status", s.ref("Verification")),
                    **{c: {"$ref": f"#/components/responses/Error{c}"} for c in ("404", "429")},
                },
            },
            "post": {
                "summary": "Is this file exactly the one issued? (public, rate-limited)",
                **public,
                "parameters": [token],
                "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": s.BINARY}}},
                "responses": {
                    "200": ok("Whether the bytes match", s.ref("Match")),
                    **{c: {"$ref": f"#/components/responses/Error{c}"} for c in ("404", "413", "429")},
                },
            },
        },
    )
    spec.path(
        path="/v/{token}",
        operations={
            "get": {
                "summary": "The verification page in Kazakh or Russian (the document's QR code leads here)",
                **public,
                "parameters": [token, _query("lang", {"type": "string", "enum": ["kk", "ru"]}, "Page language")],
                "responses": {
                    "200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}},
                    "404": {
                        "description": "No such document",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    "429": {
                        "description": "Too many verifications from this address; see Retry-After",
                        "headers": {"Retry-After": {"schema": {"type": "string"}, "required": True}},
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                },
            }
        },
    )
