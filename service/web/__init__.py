"""The clerks' web forms: every form in force, generated from its spec, validated by the engine,
previewed and downloaded as PDF or DOCX; with clerks' accounts (accounts.py) issued into the register
(documents.py) and drafts kept on the server (drafts.py). Pages in Kazakh (default) or Russian; every
asset is served from here (no CDN); every POST carries a CSRF token."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

import forms
from forms.errors import message

from ..errors import RequestError
from ..rendering import RenderRefused, registry
from . import accounts, csrf, documents, drafts, i18n, organisations, signin, views
from .formdata import max_inputs
from .widgets import dom_id

FORM_LIMIT_PARTS = 200_000  # inputs in one post: a journal of some thousand rows
FORM_OWN_PARTS = 20  # the page's own inputs: action, CSRF token, languages, payload, file


def create_blueprint(app) -> Blueprint:
    bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets/web")
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # the session holds the CSRF token

    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/lang/<lang>", "language", views.switch_language)
    bp.add_url_rule("/assets/document/<path:name>", "document_asset", views.document_asset)
    bp.add_url_rule("/forms/<form_id>", "form", views.form_page)
    bp.add_url_rule("/forms/<form_id>", "submit", views.submit, methods=["POST"])
    bp.add_url_rule("/forms/<form_id>/rows.<fmt>", "rows_template", views.rows_template)
    bp.add_url_rule("/forms/<form_id>/check-fields", "check_fields", views.check_fields, methods=["POST"])
    bp.add_url_rule("/login", "login", accounts.login)
    bp.add_url_rule("/login", "sign_in", accounts.sign_in, methods=["POST"])
    signin.install_sign_in_limits(app)
    bp.add_url_rule("/logout", "logout", accounts.logout, methods=["POST"])
    documents.install_routes(bp)
    bp.add_url_rule("/documents/<doc_id>/amend", "amend", views.amend)
    drafts.install_routes(bp)
    organisations.install_routes(bp)

    @bp.before_request
    def limits_and_csrf():
        if request.method != "POST":
            return accounts.gate()
        # A journal posts many inputs: allow the whole body the service accepts (MAX_CONTENT_LENGTH)
        # instead of Werkzeug's per-form defaults (500 kB, 1,000 parts).
        parts = _form_parts((request.view_args or {}).get("form_id"))
        try:
            request.max_form_memory_size = app.config.get("MAX_CONTENT_LENGTH")
            request.max_form_parts = parts  # multipart posts
        except AttributeError:  # Flask < 3.1: the defaults stay
            pass
        if (
            request.mimetype == "application/x-www-form-urlencoded"
            and request.get_data(cache=True).count(b"&") >= parts
        ):  # Werkzeug counts only multipart parts
            abort(413)
        if not csrf.valid():
            t = i18n.Translator(i18n.current())
            return Response(render_template("web/error.html", title=t("csrf_title"), text=t("csrf_text")), 400)
        return accounts.gate()

    def _form_parts(form_id: str | None) -> int:
        """The inputs this form can post (its lists capped by max_items and MAX_ROWS), and a few
        of the page's own; 413 beyond, before anything is parsed."""
        try:
            spec = registry(app).resolve(form_id)
        except (forms.NysanError, TypeError):
            return FORM_OWN_PARTS
        return min(FORM_LIMIT_PARTS, FORM_OWN_PARTS + max_inputs(spec.fields, int(app.config["MAX_ROWS"])))

    @bp.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", views.csp())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/assets/"):
            # Pages and documents carry personal data: never kept in a shared cache.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response

    @bp.errorhandler(413)
    def too_large(error):
        t = i18n.Translator(i18n.current())
        return render_template("web/error.html", title=t("too_large_title"), text=t("too_large_text")), 413

    @bp.errorhandler(RequestError)
    def refused_request(err: RequestError):
        # The API's limits, applied to a post (too deep, too many rows): a page saying which.
        t = i18n.Translator(i18n.current())
        title = t("too_large_title") if err.status == 413 else t("bad_request_title")
        return render_template("web/error.html", title=title, text=message(err.code, t.lang, **err.params)), err.status

    @bp.errorhandler(RenderRefused)
    def try_again(refused: RenderRefused):
        # The render gate's busy or timeout: the draft in the browser keeps what was typed.
        t = i18n.Translator(i18n.current())
        page = render_template("web/error.html", title=t("busy_title"), text=t("busy_text"))
        return Response(page, 503, headers=refused.headers)

    @bp.errorhandler(500)
    def failed(error):
        # Flask has logged the exception; the clerk gets a page in their language, and the draft
        # in the browser keeps what was typed.
        t = i18n.Translator(i18n.current())
        return render_template("web/error.html", title=t("failed_title"), text=t("failed_text")), 500

    @bp.context_processor
    def interface():
        t = i18n.Translator(i18n.current())
        return {
            "t": t,
            "ui_lang": t.lang,
            "csrf_token": csrf.token,
            "ui_languages": i18n.LANGUAGES,
            "dom_id": dom_id,
            "account": accounts.current(),
        }

    return bp
