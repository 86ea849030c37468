"""The register's API: issue documents, read them, list, revoke, supersede, and the audit trail.

Every request acts for the organisation of its API key (``default`` without keys). The register is
the app's (``service/records.py``); a database that cannot be reached answers 503 with Retry-After.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, jsonify, request, url_for

import forms
from recordkeeping import (
    STATUSES,
    ActionNotAllowed,
    Actor,
    CaseNotFound,
    DataKeyInvalid,
    DataKeyMissing,
    DocumentNotFound,
    DocumentNotIssued,
    DocumentPurged,
    IdempotencyConflict,
    RegisterError,
    RegisterUnavailable,
    SchemaBehind,
)
from recordkeeping.documents import MAX_ROW
from recordkeeping.errors import JournalNotFound

from .. import limits
from ..errors import RequestError, field
from ..records import MAX_REASON, RETRY_SECONDS, current_register, document_filename, verify_base
from ..rendering import NO_STORE
from . import inputs
from .errors import error_response, language

log = logging.getLogger("nysan.register")

STATUS = {
    DocumentNotFound: 404,
    CaseNotFound: 404,
    JournalNotFound: 404,
    ActionNotAllowed: 409,
    DocumentPurged: 410,
    DocumentNotIssued: 409,
    IdempotencyConflict: 409,
    SchemaBehind: 503,
    DataKeyMissing: 503,
    DataKeyInvalid: 503,
    RegisterUnavailable: 503,
}
ISSUE_KEYS = {"form", "data", "lang", "format", "version", "as_of"}
SUPERSEDE_KEYS = {"data", "lang", "format"}
MAX_LIMIT = 200


def actor() -> Actor:
    return Actor(organisation=g.get("nysan_organisation") or "default", name=g.get("nysan_key") or "local")


def links(doc: dict) -> dict:
    doc_id, token = doc["id"], doc["verify_url"].rsplit("/", 1)[-1]
    return {
        "self": url_for("api.get_document", doc_id=doc_id),
        "file": url_for("api.get_document_file", doc_id=doc_id),
        "data": url_for("api.get_document_data", doc_id=doc_id),
        "revoke": url_for("api.revoke_document", doc_id=doc_id),
        "supersede": url_for("api.supersede_document", doc_id=doc_id),
        "verify": url_for("api.verify_document", token=token),
        "audit": url_for("api.list_audit", document=doc_id),
    }


def with_links(doc: dict) -> dict:
    return {**doc, "links": links(doc)}


def created(doc: dict, replayed: bool = False):
    headers = {"Location": url_for("api.get_document", doc_id=doc["id"]), **NO_STORE}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return jsonify(with_links(doc)), 201, headers


def read_object(allowed: set[str], required: tuple[str, ...]) -> dict:
    """The JSON body as an object with only ``allowed`` keys; 422 ``invalid_request`` listing each fault."""
    body = inputs.json_body()
    if not isinstance(body, dict):
        raise RequestError(422, "invalid_request", [field("", "invalid_type", expected="object")], count=1)
    errors = [field(key, "unknown_field") for key in sorted(set(body) - allowed, key=str)]
    errors += [field(key, "required") for key in required if key not in body]
    for key, choices in (("lang", forms.DOCUMENT_LANGUAGES), ("format", forms.FORMATS)):
        if body.get(key) is not None and body[key] not in choices:
            errors.append(field(key, "invalid_choice", choices=", ".join(choices)))
    for key in ("form", "version", "reason"):
        if key in body and not isinstance(body[key], str):
            errors.append(field(key, "invalid_type", expected="string"))
    if "data" in body and not isinstance(body["data"], dict):
        errors.append(field("data", "invalid_type", expected="object"))
    if body.get("as_of") is not None and inputs.parse_date(body["as_of"]) is None:
        errors.append(field("as_of", "invalid_date"))
    if errors:
        raise RequestError(422, "invalid_request", errors, count=len(errors))
    if "data" in body:
        limits.check_rows(body["data"], prefix="data.")
    return body


def invalid_data(err: forms.ValidationFailed):
    """422 exactly as POST .../validate answers it."""
    faults = [e.as_dict(language()) for e in err.errors]
    return error_response(422, "invalid_data", {"count": len(faults)}, faults, NO_STORE)


class ListQuery(inputs.Query):
    def text(self, name: str) -> str | None:
        return self._raw(name)

    def date(self, name: str):
        value = self._raw(name)
        day = inputs.parse_date(value) if value is not None else None
        if value is not None and day is None:
            self.errors.append(field(f"query.{name}", "invalid_date"))
        return day

    def number(self, name: str, low: int, high: int) -> int | None:
        """A whole number from ``low`` to ``high`` in ASCII digits, None when absent (or wrong: an error
        then). ``²`` is a digit to ``str.isdigit`` but not to ``int``, which also refuses 5,000 digits."""
        value = self._raw(name)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(high)) and low <= int(value) <= high):
            self.errors.append(field(f"query.{name}", "invalid_parameter", names=name))
            return None
        return int(value)

    def limit(self) -> int:
        value = self.number("limit", 1, MAX_LIMIT)
        return 50 if value is None else value


def install_routes(bp: Blueprint) -> None:
    @bp.post("/api/v1/documents")
    def issue_document():
        body = read_object(ISSUE_KEYS, ("form", "data"))
        key = request.headers.get("Idempotency-Key")
        if key is not None and not 1 <= len(key) <= 255:
            raise RequestError(
                400,
                "invalid_parameter",
                [field("header.Idempotency-Key", "invalid_parameter", names="Idempotency-Key")],
                names="Idempotency-Key",
            )
        reg, who, base = current_register(), actor(), verify_base()
        options = dict(
            lang=body.get("lang") or "kk",
            fmt=body.get("format") or "pdf",
            version=body.get("version"),
            as_of=inputs.parse_date(body.get("as_of")),
            verify_base=base,
            idempotency_key=key,
            prefill=True,  # fields left out that the spec maps to the organisation's record
        )
        reg.registry.resolve(body["form"], options["version"], options["as_of"])  # 404 / 422 first
        try:
            doc, replayed = reg.issue(who, body["form"], body["data"], **options)  # renders through the gate
        except forms.ValidationFailed as err:
            return invalid_data(err)
        return created(doc, replayed)

    @bp.get("/api/v1/documents")
    def list_documents():
        query = ListQuery()
        form = query.text("form")
        status = query.choice("status", STATUSES, "")
        number = query.text("number")
        issued_from, issued_to = query.date("issued_from"), query.date("issued_to")
        limit, cursor = query.limit(), query.text("cursor")
        query.done()
        try:
            docs, following = current_register().list(
                actor(), form, status or None, number, issued_from, issued_to, limit, cursor
            )
        except (ValueError, UnicodeDecodeError):
            raise RequestError(
                400, "invalid_parameter", [field("query.cursor", "invalid_parameter", names="cursor")], names="cursor"
            ) from None
        return jsonify({"documents": [with_links(doc) for doc in docs], "next": following}), 200, NO_STORE

    @bp.get("/api/v1/documents/<doc_id>")
    def get_document(doc_id):
        lang = request.args.get("lang")
        lang = lang if lang in ("kk", "ru") else "kk"  # of the organisation's name
        return jsonify(with_links(current_register().get(actor(), doc_id, lang))), 200, NO_STORE

    @bp.get("/api/v1/documents/<doc_id>/file")
    def get_document_file(doc_id):
        content, doc = current_register().file(actor(), doc_id)
        name = document_filename(doc)
        disposition = "inline" if doc["format"] == "html" else "attachment"
        return current_app.response_class(
            content,
            headers={
                "Content-Type": forms.MEDIA_TYPES[doc["format"]],
                "Content-Disposition": f'{disposition}; filename="{name}"',
                "ETag": f'"{doc["sha256"]}"',
                "X-Nysan-Document": doc["id"],
                "X-Nysan-Number": doc["number"],
                **NO_STORE,
            },
        )

    @bp.get("/api/v1/documents/<doc_id>/data")
    def get_document_data(doc_id):
        data, doc = current_register().data(actor(), doc_id)
        return jsonify({"id": doc["id"], "form": doc["form"], "version": doc["version"], "data": data}), 200, NO_STORE

    @bp.post("/api/v1/documents/<doc_id>/revoke")
    def revoke_document(doc_id):
        body = read_object({"reason"}, ("reason",))
        reason = body["reason"].strip()
        if not reason or len(reason) > MAX_REASON:
            code = "required" if not reason else "max_length"
            raise RequestError(422, "invalid_request", [field("reason", code, max=MAX_REASON)], count=1)
        return jsonify(with_links(current_register().revoke(actor(), doc_id, reason))), 200, NO_STORE

    @bp.post("/api/v1/documents/<doc_id>/supersede")
    def supersede_document(doc_id):
        body = read_object(SUPERSEDE_KEYS, ("data",))
        reg, who, base = current_register(), actor(), verify_base()
        reg.get(who, doc_id)  # 404 before the render slot
        try:
            doc = reg.supersede(who, doc_id, body["data"], body.get("lang"), body.get("format"), base, prefill=True)
        except forms.ValidationFailed as err:
            return invalid_data(err)
        return created(doc)

    @bp.get("/api/v1/audit")
    def list_audit():
        query = ListQuery()
        document = query.text("document")
        limit, after = query.limit(), query.number("after", 0, MAX_ROW)  # an event's number, a BIGINT
        query.done()
        events = current_register().events(actor(), document, limit + 1, after or 0)
        following = events[limit - 1]["seq"] if len(events) > limit else None
        return jsonify({"events": events[:limit], "next": following}), 200, NO_STORE

    @bp.errorhandler(RegisterError)
    def _register_error(err: RegisterError):
        status = next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400)
        params = {k: v for k, v in err.params.items() if k != "id"}
        headers = {"Retry-After": str(RETRY_SECONDS)} if status == 503 else {}
        if isinstance(err, RegisterUnavailable):
            # the cause's type only: a driver's message may quote the data
            log.warning("register database unavailable: %s", type(err.__cause__).__name__)
            params["seconds"] = RETRY_SECONDS
        return error_response(status, err.code, params, headers=headers)
