"""JSON Schemas of the API's own bodies (the error envelope, listings, the batch request), shared
by the OpenAPI document and the routes' checks."""

from __future__ import annotations

import forms

BINARY = {"type": "string", "format": "binary"}
LANGS = {"type": "string", "enum": list(forms.DOCUMENT_LANGUAGES)}
FORMATS = {"type": "string", "enum": list(forms.FORMATS)}
I18N = {"type": "object", "additionalProperties": {"type": "string"}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


FIELD_ERROR = {
    "type": "object",
    "required": ["path", "code", "message"],
    "properties": {
        "path": {
            "type": "string",
            "description": "Where: a field path (family[0].birth_date), a query parameter "
            "(query.lang), or '' for the whole request",
        },
        "code": {"type": "string", "description": "Stable code (forms/messages.yaml)"},
        "message": {"type": "string", "description": "In the language of Accept-Language"},
    },
}

VERSION = {
    "type": "object",
    "required": ["version", "effective_from", "effective_to", "status", "official", "legal_basis"],
    "properties": {
        "version": {"type": "string"},
        "effective_from": {"type": "string", "format": "date"},
        "effective_to": {"type": ["string", "null"], "format": "date"},
        "status": {"type": "string"},
        "official": {"type": "boolean", "description": "false for a designed form (no form annexed to the act)"},
        "ru_text": {"type": "string", "description": "official, or translation (ours)"},
        "legal_basis": {"type": "object"},
        "notes": {"type": ["string", "null"]},
    },
}

FORM = {
    "type": "object",
    "required": ["id", "title", "status", "versions"],
    "properties": {
        "id": {"type": "string"},
        "title": I18N,
        "summary": I18N,
        "status": {"type": "string", "description": "in_force or repealed"},
        "official": {"type": "boolean"},
        "repealed_by": {"type": ["object", "null"]},
        "versions": {"type": "array", "items": ref("FormVersion")},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

COMPONENTS = {
    "Error": {
        "type": "object",
        "required": ["code", "message", "errors"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": ref("FieldError"), "maxItems": 100},
            "count": {"type": "integer", "description": "How many faults in all, when more than the 100 listed"},
        },
        "description": "Every error response: a code, a message, and the faults one by one",
    },
    "FieldError": FIELD_ERROR,
    "Extracted": {
        "type": "object",
        "required": ["form", "version", "lang", "data"],
        "properties": {
            "form": {"type": "string"},
            "version": {"type": "string"},
            "lang": {"type": "string"},
            "data": {"type": "object"},
        },
    },
    "FormVersion": VERSION,
    "Form": FORM,
    "FormList": {
        "type": "object",
        "required": ["forms"],
        "properties": {"forms": {"type": "array", "items": ref("Form")}},
    },
    "Valid": {
        "type": "object",
        "required": ["valid", "form", "version"],
        "properties": {"valid": {"const": True}, "form": {"type": "string"}, "version": {"type": "string"}},
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string"}, "forms": {"type": "integer"}, "spec_errors": {"type": "integer"}},
    },
}

PDFA = {
    "type": "string",
    "enum": list(forms.PDFA_VARIANTS),
    "description": "PDF/A variant of a PDF: 2b (default), 1b (PDF/A-1 archives), 3b (carries its data)",
}
RENDER_PARAMS = [
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "schema": {**LANGS, "default": "kk"},
        "description": "Language of the document",
    },
    {"name": "format", "in": "query", "required": False, "schema": {**FORMATS, "default": "pdf"}},
    {"name": "pdfa", "in": "query", "required": False, "schema": {**PDFA, "default": "2b"}},
]

_TEXT = {"schema": {"type": "string"}, "required": True}
DOCUMENT_HEADERS = {
    "Content-Disposition": {**_TEXT, "description": 'attachment; filename="<form>-v<version>-<lang>.<format>"'},
    "X-Nysan-Form": {**_TEXT, "description": "The form id"},
    "X-Nysan-Form-Version": {**_TEXT, "description": "The version used (chosen by version or as_of)"},
    "X-Nysan-Language": {**_TEXT, "description": "kk or ru"},
}
BATCH_HEADERS = {
    "Content-Disposition": {**_TEXT, "description": 'attachment; filename="nysan-batch.zip" (or .pdf)'},
    "X-Nysan-Documents": {**_TEXT, "description": "How many documents"},
}


def document_content() -> dict:
    return {
        forms.MEDIA_TYPES[fmt].split(";")[0]: {"schema": {"type": "string"} if fmt == "html" else BINARY}
        for fmt in forms.FORMATS
    }


def batch_request(form_ids: list[str]) -> dict:
    return {
        "type": "object",
        "required": ["documents"],
        "additionalProperties": False,
        "properties": {
            "output": {
                "type": "string",
                "enum": ["zip", "pdf"],
                "default": "zip",
                "description": "zip: one file per document (and manifest.json); pdf: one merged PDF",
            },
            "lang": {**LANGS, "default": "kk", "description": "Default language of the documents"},
            "format": {**FORMATS, "default": "pdf", "description": "Default format of the documents (zip output)"},
            "pdfa": {**PDFA, "default": "2b", "description": "Default PDF/A variant (a merged PDF: 1b or 2b)"},
            "documents": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["form", "data"],
                    "additionalProperties": False,
                    "properties": {
                        "form": {"type": "string", "enum": form_ids},
                        "version": {"type": "string"},
                        "as_of": {"type": "string", "format": "date"},
                        "lang": LANGS,
                        "format": FORMATS,
                        "pdfa": PDFA,
                        "data": {"type": "object", "description": "Must match the form version's schema"},
                    },
                },
            },
        },
    }
