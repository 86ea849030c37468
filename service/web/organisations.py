"""``/admin/organisations``: an admin's page of the organisations' records (recordkeeping/organisations.py):
every organisation listed, her own organisation's record edited (each save a new revision: documents
already issued keep the one they were issued under). Role ``admin`` only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from recordkeeping.organisations import FIELDS, KINDS, OrganisationError, Organisations, fields_of

from ..records import open_register
from . import accounts, i18n


def _admin():
    account = accounts.current()
    if account is None or account.role != "admin":
        t = i18n.Translator(i18n.current())
        abort(
            current_app.response_class(
                render_template("web/error.html", title=t("forbidden_title"), text=t("admin_only_text")), 403
            )
        )
    return account


def _organisations() -> Organisations:
    return Organisations(open_register(current_app._get_current_object()).db)


def _page(account, values: dict, error: OrganisationError | None = None, saved: bool = False):
    t = i18n.Translator(i18n.current())
    organisations = _organisations()
    html = render_template(
        "web/organisations.html",
        organisations=organisations.list(),
        own=account.organisation,
        values=values,
        fields=list(FIELDS),
        kinds=KINDS,
        error_field=error.field if error is not None else None,
        error=error.message(t.lang) if error is not None else None,
        saved=saved,
    )
    return html, (422 if error is not None else 200)


def page():
    account = _admin()
    record = _organisations().get(account.organisation)
    values = fields_of(record) if record is not None and not record["placeholder"] else {}
    return _page(account, values, saved=request.args.get("saved") == "1")


def save():
    account = _admin()
    values = {name: request.form.get(name, "") for name in FIELDS}
    organisations = _organisations()
    try:
        if organisations.get(account.organisation) is None:
            organisations.add(account.organisation, account.actor_name, **values)
        else:
            organisations.edit(account.organisation, account.actor_name, **values)
    except OrganisationError as err:
        return _page(account, values, err)
    return redirect(url_for("web.organisations", saved=1), 303)


def install_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/organisations", "organisations", page)
    bp.add_url_rule("/admin/organisations", "save_organisation", save, methods=["POST"])
