"""Clerks' accounts on the web: sign in, sign out, and the rule of who may see which page.

With no account in the register's database the web forms work as before accounts existed (render
and download, nothing stored) and only from this computer (loopback). Once an account exists every
page of this blueprint but ``/login``, the language switch and static assets needs sign-in (the
verification page is a blueprint of its own, public: ``verify.py``). ``sign_in_required(app)`` says which it is:
``nysan serve`` asks it before listening beyond loopback.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, render_template, request, session, url_for

from recordkeeping import Actor
from recordkeeping.drafts import Drafts
from recordkeeping.settings import RecordSettings
from recordkeeping.users import Account, SignIn, Users

from ..clients import client_address
from . import csrf, i18n, signin

log = logging.getLogger("nysan.accounts")

SESSION_USER = "user"  # [the account's number, its session epoch]
EXISTS = "nysan.accounts_exist"
ASSETS = {"web.static", "web.document_asset"}
OPEN_ENDPOINTS = {"web.login", "web.sign_in", "web.language"} | ASSETS
# Pages of accounts and of what is stored (documents, drafts): without accounts they do not exist.
STORED = {
    "web.login",
    "web.sign_in",
    "web.logout",
    "web.documents",
    "web.document",
    "web.document_file",
    "web.revoke",
    "web.amend",
    "web.drafts",
    "web.save_draft",
    "web.remove_draft",
    "web.organisations",
    "web.save_organisation",
}


def _register(app: Flask):
    from ..records import open_register

    return open_register(app)


def users(app: Flask | None = None) -> Users:
    return Users(_register(app or current_app._get_current_object()).db)


def drafts(app: Flask | None = None) -> Drafts:
    register = _register(app or current_app._get_current_object())
    return Drafts(register.db, register.sealer)


def accounts_exist(config) -> bool:
    """Whether any account exists, from a configuration alone: ``nysan serve`` asks before it listens
    beyond loopback (the web forms need sign-in there). Creates no database by asking."""
    from recordkeeping import RegisterError

    settings = RecordSettings.from_config(config)
    if not settings.may_exist():
        return False
    database = settings.database()
    try:
        return Users(database).exist()
    except RegisterError:  # no register to ask (not migrated, unreachable): as if none
        return False
    finally:
        database.dispose()


def sign_in_required(app: Flask) -> bool:
    """Whether any account exists (then the web needs sign-in). A SQLite register not yet created
    has none, and is not created by asking. Once true it stays true: accounts are disabled, not removed."""
    if app.extensions.get(EXISTS):
        return True
    if not RecordSettings.from_config(app.config).may_exist():
        return False
    found = users(app).exist()
    if found:
        app.extensions[EXISTS] = True
    return found


def current() -> Account | None:
    """The signed-in account of this request (None without sign-in)."""
    return g.get("nysan_account")


def actor() -> Actor:
    account = current()
    return Actor(organisation=account.organisation, name=account.actor_name)


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def gate():
    """Before every page of the web blueprint: who is signed in, and whether the page may open."""
    app = current_app._get_current_object()
    g.nysan_accounts = sign_in_required(app)
    if not g.nysan_accounts:
        # Behind a proxy (TRUSTED_PROXIES) the client is the one the proxy names, not the proxy.
        if not _loopback(client_address()) or (
            app.config.get("TRUSTED_PROXIES") and not request.headers.get("X-Forwarded-For")
        ):
            t = i18n.Translator(i18n.current())
            abort(
                app.response_class(
                    render_template("web/error.html", title=t("forbidden_title"), text=t("loopback_only_text")), 403
                )
            )
        if request.endpoint in STORED:
            abort(404)
        return None
    if request.endpoint in ASSETS:
        return None
    signed = session.get(SESSION_USER)
    valid = isinstance(signed, list) and len(signed) == 2 and all(isinstance(n, int) for n in signed)
    account = users(app).get(*signed) if valid else None
    if account is None and signed is not None:
        session.pop(SESSION_USER, None)  # disabled or signed out since: the session ends
    g.nysan_account = account
    if account is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")), 303)
        abort(401)
    return None


def require_supervisor() -> Account:
    account = current()
    if account is None or not account.supervises:
        t = i18n.Translator(i18n.current())
        abort(
            current_app.response_class(
                render_template("web/error.html", title=t("forbidden_title"), text=t("forbidden_text")), 403
            )
        )
    return account


def _safe_next(target: str | None) -> str:
    target = target or "/"
    parts = urlsplit(target)
    # A path on this site only: never an open redirect ("//host", and "/\\host", which browsers read
    # as "//host"), nor a line break in the Location header (a 500).
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or not target.isprintable()
    ):
        return "/"
    return target


def login():
    if current() is not None:
        return redirect(_safe_next(request.args.get("next")), 303)
    return render_template("web/login.html", next=_safe_next(request.args.get("next")), error=None), 200


def sign_in():
    t = i18n.Translator(i18n.current())
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = _safe_next(request.form.get("next"))
    result = signin.attempt(users(), username, password)
    if not isinstance(result, SignIn) or result.account is None:
        return _refused(t, result, target, username)
    # A new session at sign-in: nothing from before (its CSRF token included) carries over.
    session.clear()
    session[SESSION_USER] = [result.account.id, result.account.session_epoch]
    csrf.token()
    return redirect(target, 303)


def _refused(t: i18n.Translator, result: SignIn | signin.Refusal, target: str, username: str):
    """The login page again, saying why: a wrong name or password (401), too many attempts or a
    locked name (429), every hash slot taken (503); the last two say when to try again."""
    if isinstance(result, signin.Refusal):
        page = render_template(
            "web/login.html", next=target, username=username, error=t(result.text, seconds=result.retry_after)
        )
        return page, result.status, {"Retry-After": str(result.retry_after)}
    return render_template("web/login.html", next=target, error=t("sign_in_failed"), username=username), 401


def logout():
    account = current()
    if account is not None:
        users().end_sessions(account.id)
    session.clear()
    return redirect(url_for("web.login"), 303)
