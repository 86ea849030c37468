"""Public verification of a registered document as JSON, by the token in its QR code: no API key,
rate limited per client address, never any personal data (status, form, number, date, organisation,
digest only). The page a phone opens is the web's (``service/web/verify.py``).

    GET  /api/v1/verify/{token}   the document's status
    POST /api/v1/verify/{token}   a file's bytes -> {"match": true|false}
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..bodies import large_body
from ..clients import check_verify_rate
from ..records import MAX_FILE, current_register, known_token

NO_CACHE = {"Cache-Control": "no-store"}


def answer_language() -> str:
    """The language of names in an answer: ``?lang=`` (kk or ru), else Kazakh."""
    asked = request.args.get("lang")
    return asked if asked in ("kk", "ru") else "kk"


def install_routes(bp: Blueprint) -> None:
    @bp.get("/api/v1/verify/<token>")
    def verify_document(token):
        check_verify_rate()
        answer = current_register().verify(known_token(token))
        answer.pop("lang")
        names = answer.pop("organisation_names")
        answer["organisation_name"] = names[answer_language()]
        return jsonify(answer), 200, NO_CACHE

    @bp.post("/api/v1/verify/<token>")
    @large_body(MAX_FILE)
    def match_document(token):
        check_verify_rate()
        matched = current_register().matches(known_token(token), request.get_data(cache=False))
        return jsonify({"match": matched}), 200, NO_CACHE
