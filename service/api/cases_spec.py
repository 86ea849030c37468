"""The cases' part of /openapi.json (service/api/cases.py): their paths and bodies."""

from __future__ import annotations

import forms

from . import schemas as s
from .register_spec import _json, _path, _query

TEXT = {"type": "string"}
CASE = {
    "type": "object",
    "required": ["id", "flow", "flow_version", "status", "number", "actions", "deadlines", "documents", "timeline"],
    "description": "A case: no personal data (its application is stored sealed)",
    "properties": {
        "id": TEXT,
        "flow": TEXT,
        "flow_version": TEXT,
        "status": {"type": "string", "description": "The state the case is in (the flow's `states`)"},
        "number": {
            "type": "string",
            "description": "The case's row of its flow's journal (per organisation x flow x calendar year, "
            "without gaps)",
        },
        "year": {"type": "integer"},
        "application": {
            "type": "object",
            "properties": {"form": TEXT, "version": TEXT, "lang": s.LANGS},
        },
        "opened_at": {"type": "string", "format": "date-time"},
        "actions": {"type": "array", "items": TEXT, "description": "The steps that may be taken now"},
        "deadlines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["action", "due", "overdue"],
                "properties": {
                    "action": TEXT,
                    "due": {"type": "string", "format": "date-time", "description": "Asia/Almaty"},
                    "overdue": {"type": "boolean"},
                },
            },
        },
        "documents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "form", "number"],
                "properties": {"id": TEXT, "form": TEXT, "number": TEXT},
            },
        },
        "timeline": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["seq", "step", "status", "actor", "at", "document"],
                "properties": {
                    "seq": {"type": "integer"},
                    "step": TEXT,
                    "status": TEXT,
                    "actor": TEXT,
                    "at": {"type": "string", "format": "date-time"},
                    "document": {"type": ["string", "null"]},
                },
            },
        },
        "links": {"type": "object", "additionalProperties": TEXT},
    },
}
COMPONENTS = {
    "Case": CASE,
    "CaseList": {
        "type": "object",
        "required": ["cases"],
        "properties": {"cases": {"type": "array", "items": s.ref("Case")}},
    },
    "Journal": {
        "type": "object",
        "required": ["form", "version", "from", "to", "data"],
        "description": "A journal of the period: the form's data, one row per case in registration order",
        "properties": {
            "form": TEXT,
            "version": TEXT,
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "data": {"type": "object"},
        },
    },
}


def add_paths(spec, op, ok, flow_ids: list[str]) -> None:
    """``op`` and ``ok`` are openapi.py's, as for the register's paths."""
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema)
    case_id = _path("case_id", "The case's id")
    tags = ("cases",)
    open_body = {
        "required": True,
        **_json(
            {
                "type": "object",
                "required": ["flow", "application"],
                "additionalProperties": False,
                "properties": {
                    "flow": {"type": "string", "enum": flow_ids},
                    "application": {
                        "type": "object",
                        "required": ["data"],
                        "additionalProperties": False,
                        "properties": {
                            "form": {"type": "string", "description": "The flow's application form (its default)"},
                            "data": {
                                "type": "object",
                                "description": "The application's data, validated as the form's",
                            },
                            "lang": {**s.LANGS, "default": "kk"},
                        },
                    },
                    "details": {
                        "type": "object",
                        "description": "The flow's case fields (`case:`), e.g. the stay's `referral_date`; "
                        "`number` is the journal's number unless given",
                    },
                },
            }
        ),
    }
    spec.path(
        path="/api/v1/cases",
        operations={
            "post": op(
                "Open a case: validate the application, register it in the flow's journal (scope case_actions)",
                {
                    "201": {
                        "description": "Opened",
                        "headers": {"Location": {"schema": TEXT, "required": True}},
                        **_json(s.ref("Case")),
                    }
                },
                body=open_body,
                errors=("400", "413", "415", "422", "503"),
                tags=tags,
            ),
            "get": op(
                "The organisation's cases in journal order (scope cases)",
                {"200": ok("The cases", s.ref("CaseList"))},
                [
                    _query("flow", TEXT, "Only this flow's"),
                    _query("status", TEXT, "Only those in this state"),
                    _query("overdue", {"type": "string", "enum": ["true", "false"]}, "Only those with a step overdue"),
                ],
                errors=("400", "503"),
                tags=tags,
            ),
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}",
        operations={
            "get": op(
                "A case: status, the steps possible now, deadlines, documents, timeline (scope cases)",
                {"200": ok("The case", s.ref("Case"))},
                [case_id],
                errors=("404", "503"),
                tags=tags,
            )
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}/actions/{action}",
        operations={
            "post": op(
                "Take a step; a step that makes a document issues it, prefilled from the application "
                "(scope case_actions: a key may take any step)",
                {"200": ok("The case after the step", s.ref("Case"))},
                [case_id, _path("action", "The step's name (the flow's `steps`)")],
                {
                    "required": False,
                    **_json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "data": {
                                    "type": "object",
                                    "description": "The step's input: the data of the document it makes, over "
                                    "the prefill from the application and the case",
                                },
                                "format": {**s.FORMATS, "default": "pdf"},
                            },
                        }
                    ),
                },
                ("400", "404", "409", "413", "415", "422", "503"),
                tags,
            )
        },
    )
    day = {"type": "string", "format": "date"}
    spec.path(
        path="/api/v1/journals/{form}",
        operations={
            "get": op(
                "The journal of a period, rendered from the organisation's cases of the flow that keeps it "
                "(scope cases): JSON, or the form as a file",
                {
                    "200": {
                        "description": "The journal (JSON), or its PDF, DOCX or HTML",
                        "content": {
                            "application/json": {"schema": s.ref("Journal")},
                            **{
                                forms.MEDIA_TYPES[f]: {"schema": {"type": "string", "format": "binary"}}
                                for f in forms.FORMATS
                            },
                        },
                    }
                },
                [
                    _path("form", "A flow's journal form (`journal.form`), e.g. referral-journal"),
                    {**_query("from", day, "First day of the period (Asia/Almaty)"), "required": True},
                    {**_query("to", day, "Last day of the period, not before from"), "required": True},
                    _query(
                        "format",
                        {"type": "string", "enum": ["json", *forms.FORMATS], "default": "json"},
                        "json or a file",
                    ),
                    _query("lang", {**s.LANGS, "default": "kk"}, "The file's language"),
                ],
                errors=("400", "404", "422", "503"),
                tags=("journals",),
            )
        },
    )
