"""Cases over HTTP (docs/cases.md): open a case of a declared flow with its application, read and list
the organisation's cases, take a step (which issues the document the step makes), and the journal of a
period rendered from them (/api/v1/journals/{form}, recordkeeping/journals.py).

Every request acts for its API key's organisation. A key has no role: one with the scope
``case_actions`` may take any step of a flow (an account's role limits a clerk on the web pages).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for

import forms
from recordkeeping import journals
from recordkeeping.cases import Cases

from .. import limits, rendering
from ..errors import RequestError, field
from ..records import current_register, verify_base
from ..rendering import NO_STORE
from . import inputs
from .documents import ListQuery, actor, invalid_data
from .routes import document_response

OPEN_KEYS = {"flow", "application", "details"}
APPLICATION_KEYS = {"form", "data", "lang"}
ACTION_KEYS = {"data", "format"}


def cases() -> Cases:
    return Cases(current_register())


def with_links(case: dict) -> dict:
    return {
        **case,
        "links": {
            "self": url_for("api.get_case", case_id=case["id"]),
            **{
                f"action:{name}": url_for("api.act_on_case", case_id=case["id"], action=name)
                for name in case["actions"]
            },
            **{f"document:{doc['id']}": url_for("api.get_document", doc_id=doc["id"]) for doc in case["documents"]},
        },
    }


def refuse(errors: list[dict]) -> None:
    if errors:
        raise RequestError(422, "invalid_request", errors, count=len(errors))


def _object(body: Any, path: str, allowed: set[str], required: tuple[str, ...]) -> list[dict]:
    """The faults of ``body`` as an object of ``allowed`` keys (paths under ``path``)."""
    where = f"{path}." if path else ""
    if not isinstance(body, dict):
        return [field(path, "invalid_type", expected="object")]
    errors = [field(where + key, "unknown_field") for key in sorted(set(body) - allowed, key=str)]
    return errors + [field(where + key, "required") for key in required if key not in body]


def read_open(flow_ids: list[str]) -> dict:
    """The body of POST /api/v1/cases; 422 ``invalid_request`` listing each fault of its shape."""
    body = inputs.json_body()
    errors = _object(body, "", OPEN_KEYS, ("flow", "application"))
    refuse(errors)
    if not isinstance(body["flow"], str) or body["flow"] not in flow_ids:
        errors.append(field("flow", "invalid_choice", choices=", ".join(flow_ids)))
    application = body["application"]
    errors += _object(application, "application", APPLICATION_KEYS, ("data",))
    if isinstance(application, dict):
        if "form" in application and not isinstance(application["form"], str):
            errors.append(field("application.form", "invalid_type", expected="string"))
        if "data" in application and not isinstance(application["data"], dict):
            errors.append(field("application.data", "invalid_type", expected="object"))
        if application.get("lang") is not None and application["lang"] not in forms.DOCUMENT_LANGUAGES:
            errors.append(field("application.lang", "invalid_choice", choices=", ".join(forms.DOCUMENT_LANGUAGES)))
    if body.get("details") is not None and not isinstance(body["details"], dict):
        errors.append(field("details", "invalid_type", expected="object"))
    refuse(errors)
    limits.check_rows(application["data"], prefix="application.data.")
    return body


def read_action() -> dict:
    """The body of a step: ``{"data": {...}, "format": "pdf"}``, or none at all."""
    if not request.get_data(cache=True):  # a step with no input may be sent without a body
        return {}
    body = inputs.json_body()
    errors = _object(body, "", ACTION_KEYS, ())
    if isinstance(body, dict):
        if "data" in body and not isinstance(body["data"], dict):
            errors.append(field("data", "invalid_type", expected="object"))
        if body.get("format") is not None and body["format"] not in forms.FORMATS:
            errors.append(field("format", "invalid_choice", choices=", ".join(forms.FORMATS)))
    refuse(errors)
    if body.get("data"):
        limits.check_rows(body["data"], prefix="data.")
    return body


def read_period(query: ListQuery) -> tuple[Any, Any]:
    """``from`` and ``to`` of a journal, both required; ``to`` before ``from`` is refused."""
    start, end = query.date("from"), query.date("to")
    for name in ("from", "to"):
        if request.args.get(name) is None:
            query.errors.append(field(f"query.{name}", "required"))
    if start and end and end < start:
        query.errors.append(field("query.to", "invalid_parameter", names="to"))
    return start, end


def install_routes(bp: Blueprint) -> None:
    @bp.get("/api/v1/journals/<form>")
    def get_journal(form):
        query = ListQuery()
        start, end = read_period(query)
        fmt = query.choice("format", ("json", *forms.FORMATS), "json")
        lang = query.choice("lang", forms.DOCUMENT_LANGUAGES, "kk")
        query.done()
        kept = journals.journal(cases(), actor(), form, start, end)
        if fmt == "json":
            return jsonify(kept), 200, NO_STORE
        options = forms.RenderOptions(lang, fmt, kept["version"])
        document, spec = rendering.render(form, kept["data"], options)  # 422 invalid_data: a row lacks a field
        name = f"{spec.id}-{kept['from']}-{kept['to']}-{lang}.{fmt}"
        return document_response(document, spec, lang, fmt, name)

    @bp.post("/api/v1/cases")
    def open_case():
        handler = cases()
        body = read_open(list(handler.flows.flows))
        application = body["application"]
        flow = handler.flows.get(body["flow"])
        if application.get("form") not in (None, flow.application):
            refuse([field("application.form", "invalid_choice", choices=flow.application)])
        try:
            case = handler.open(actor(), body["flow"], application, body.get("details"))
        except forms.ValidationFailed as err:
            return invalid_data(err)
        headers = {"Location": url_for("api.get_case", case_id=case["id"]), **NO_STORE}
        return jsonify(with_links(case)), 201, headers

    @bp.get("/api/v1/cases")
    def list_cases():
        query = ListQuery()
        flow, status = query.text("flow"), query.text("status")
        overdue = query.choice("overdue", ("true", "false"), "false") == "true"
        query.done()
        found = cases().list(actor(), flow, status, overdue)
        return jsonify({"cases": [with_links(case) for case in found]}), 200, NO_STORE

    @bp.get("/api/v1/cases/<case_id>")
    def get_case(case_id):
        return jsonify(with_links(cases().get(actor(), case_id))), 200, NO_STORE

    @bp.post("/api/v1/cases/<case_id>/actions/<action>")
    def act_on_case(case_id, action):
        body = read_action()
        try:
            case = cases().act(actor(), case_id, action, body.get("data"), verify_base(), body.get("format") or "pdf")
        except forms.ValidationFailed as err:
            return invalid_data(err)
        return jsonify(with_links(case)), 200, NO_STORE
