"""The public verification page, ``/v/{token}``: what a phone opens from a document's QR code. In
Kazakh or Russian (?lang=, else Accept-Language, else the document's language); a file posted there
is compared with the one issued. No sign-in, rate limited per client address, never any personal
data. Served whether or not the clerks' web forms are (``NYSAN_WEB=off``): printed QR codes must
keep working."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from flask import Blueprint, Response, render_template, request

from forms.errors import message
from recordkeeping import DocumentNotFound

from ..bodies import large_body
from ..clients import check_verify_rate
from ..errors import RequestError
from ..records import MAX_FILE, current_register, known_token

PAGE_LANGUAGES = ("kk", "ru")
NO_CACHE = {"Cache-Control": "no-store"}


@lru_cache(maxsize=1)
def page_strings() -> dict[str, dict[str, str]]:
    text = (resources.files("service.web") / "i18n" / "verify.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def page_language(document_lang: str | None) -> str:
    asked = request.args.get("lang")
    if asked in PAGE_LANGUAGES:
        return asked
    best = request.accept_languages.best_match(PAGE_LANGUAGES)
    return best or (document_lang if document_lang in PAGE_LANGUAGES else "kk")


def page(token: str, match: bool | None = None):
    try:
        answer = current_register().verify(known_token(token))
    except DocumentNotFound:
        lang = page_language(None)
        return (
            render_template("web/verify.html", lang=lang, t=page_strings()[lang], doc=None, token=token, match=None),
            404,
            NO_CACHE,
        )
    lang = page_language(answer["lang"])
    return (
        render_template("web/verify.html", lang=lang, t=page_strings()[lang], doc=answer, token=token, match=match),
        200,
        NO_CACHE,
    )


def verify_page(token: str):
    check_verify_rate()
    return page(token)


@large_body(MAX_FILE)
def verify_page_file(token: str):
    check_verify_rate()
    upload = request.files.get("file")
    if upload is None:
        return page(token)
    try:
        match = current_register().matches(known_token(token), upload.read())
    except DocumentNotFound:
        match = None
    return page(token, match)


def create_blueprint() -> Blueprint:
    bp = Blueprint("verify", __name__, template_folder="templates")
    bp.add_url_rule("/v/<token>", "page", verify_page)
    bp.add_url_rule("/v/<token>", "page_file", verify_page_file, methods=["POST"])

    @bp.errorhandler(RequestError)
    def refused(err: RequestError):
        # too many verifications from this address: the page, saying when to try again
        lang = page_language(None)
        page = render_template(
            "web/verify.html",
            lang=lang,
            t=page_strings()[lang],
            doc=None,
            token="",
            match=None,
            refusal=message(err.code, lang, **err.params),
        )
        return Response(page, err.status, headers={**err.headers, **NO_CACHE})

    return bp
