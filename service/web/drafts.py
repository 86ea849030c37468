"""Drafts kept on the server (recordkeeping/drafts.py): the form's script saves what the clerk
types every few seconds and when she leaves the page, the form opens with it on any computer after
sign-in, ``/drafts`` lists them, issuing removes one. The browser keeps a copy only when the server
cannot be reached (web.js says so)."""

from __future__ import annotations

import json

from flask import abort, jsonify, redirect, render_template, request, url_for

from ..rendering import registry as _registry
from . import accounts, i18n
from .catalogue import in_force, offer
from .display import form_labels


def _known_form(form_id: str) -> str:
    if offer(_registry(), form_id).problem:
        abort(404)
    return form_id


def page():
    account = accounts.current()
    saved = accounts.drafts().list(account.id)
    labels = form_labels([spec for spec, _ in in_force(_registry())], i18n.current())
    titles = {form_id: labels.get(form_id, form_id) for form_id, _ in saved}
    return render_template("web/drafts.html", drafts=saved, titles=titles)


def save(form_id: str):
    form_id = _known_form(form_id)
    try:
        content = json.loads(request.form.get("draft", ""))
    except ValueError:
        abort(400)
    if not isinstance(content, dict):
        abort(400)
    try:
        saved = accounts.drafts().save(accounts.current().id, form_id, content)
    except ValueError:
        abort(413)
    return jsonify({"saved": saved.strftime("%Y-%m-%dT%H:%M:%SZ")})


def remove(form_id: str):
    accounts.drafts().remove(accounts.current().id, form_id)
    if request.form.get("_from") == "page":
        return redirect(url_for("web.drafts"), 303)
    return "", 204


def for_form(form_id: str) -> dict | None:
    """The signed-in clerk's draft of this form, as the page's script restores it (None without)."""
    account = accounts.current()
    if account is None:
        return None
    found = accounts.drafts().load(account.id, form_id)
    if found is None:
        return None
    content, saved = found
    return {**content, "saved": saved.strftime("%Y-%m-%dT%H:%M:%SZ"), "server": True}


def install_routes(bp) -> None:
    bp.add_url_rule("/drafts", "drafts", page)
    bp.add_url_rule("/drafts/<form_id>", "save_draft", save, methods=["POST"])
    bp.add_url_rule("/drafts/<form_id>/remove", "remove_draft", remove, methods=["POST"])
