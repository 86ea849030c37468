"""Public verification of a registered document, by the token in its QR code: no API key, rate
limited per client address, never any personal data (status, form, number, date, organisation,
digest only).

    GET  /v/{token}               a page in Kazakh or Russian (?lang=, else Accept-Language, else the
                                  document's language); POST a file there to compare it
    GET  /api/v1/verify/{token}   the same as JSON
    POST /api/v1/verify/{token}   a file's bytes -> {"match": true|false}
"""
from __future__ import annotations

import math
import re
import threading
import time
from functools import lru_cache
from importlib import resources

import yaml
from flask import Blueprint, current_app, jsonify, render_template, request

from recordkeeping import DocumentNotFound

from .documents import register
from .errors import ApiError

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PAGE_LANGUAGES = ("kk", "ru")
NO_CACHE = {"Cache-Control": "no-store"}
MAX_FILE = 64 * 1024 * 1024          # bytes of a file sent to be compared


class RateLimit:
    """At most ``per_minute`` requests per client address in each minute (a fixed window)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._window = 0
        self._counts: dict[str, int] = {}

    def check(self, address: str) -> float | None:
        """None when allowed; else the seconds until the next window."""
        if self.per_minute <= 0:
            return None
        now = time.time()
        window = int(now // 60)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            count = self._counts[address] = self._counts.get(address, 0) + 1
        return None if count <= self.per_minute else (window + 1) * 60 - now


def limit(app) -> RateLimit:
    found = app.extensions.get("nysan.verify_limit")
    if found is None:
        found = app.extensions["nysan.verify_limit"] = RateLimit(app.config["VERIFY_RATE_LIMIT"])
    return found


def client_address() -> str:
    """The client's address: behind ``TRUSTED_PROXIES`` proxies, the one the outermost of them saw."""
    proxies = current_app.config["TRUSTED_PROXIES"]
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.remote_addr or ""


def check_rate() -> None:
    wait = limit(current_app).check(client_address())
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, "too_many_requests", headers={"Retry-After": str(seconds)}, seconds=seconds)


def allow_large_files() -> None:
    """A file to compare may be a long journal, larger than a JSON request may be."""
    try:
        request.max_content_length = MAX_FILE
    except AttributeError:   # Flask < 3.1: MAX_CONTENT_LENGTH applies
        pass


def known(token: str) -> str:
    if not TOKEN.match(token):
        raise DocumentNotFound(id="")
    return token


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
        answer = register().verify(known(token))
    except DocumentNotFound:
        lang = page_language(None)
        return render_template("web/verify.html", lang=lang, t=page_strings()[lang], doc=None, token=token,
                               match=None), 404, NO_CACHE
    lang = page_language(answer["lang"])
    return render_template("web/verify.html", lang=lang, t=page_strings()[lang], doc=answer, token=token,
                           match=match), 200, NO_CACHE


def add_routes(bp: Blueprint) -> None:
    @bp.get("/api/v1/verify/<token>")
    def verify_document(token):
        check_rate()
        answer = register().verify(known(token))
        answer.pop("lang")
        return jsonify(answer), 200, NO_CACHE

    @bp.post("/api/v1/verify/<token>")
    def match_document(token):
        check_rate()
        allow_large_files()
        return jsonify({"match": register().matches(known(token), request.get_data(cache=False))}), 200, NO_CACHE

    @bp.get("/v/<token>")
    def verify_page(token):
        check_rate()
        return page(token)

    @bp.post("/v/<token>")
    def verify_page_file(token):
        check_rate()
        allow_large_files()
        upload = request.files.get("file")
        if upload is None:
            return page(token)
        content = upload.read()
        try:
            match = register().matches(known(token), content)
        except DocumentNotFound:
            match = None
        return page(token, match)
