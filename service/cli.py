"""The ``nysan`` command, composed of each layer's commands: the engine's (``forms.cli``: forms,
validate, render, extract), the legal staff's (``forms.authoring.cli``) and the calendar's
(``forms.calendar.cli``), the system of record's
(``recordkeeping.cli``: db, data-key, register, audit, users) and the service's own below (``serve``:
gunicorn, or the Flask dev server with ``--dev``; ``api-key``).

Keeps its imports light (no Flask, no prometheus_client, no database library until a command runs)
so that ``nysan render`` stays fast and gunicorn can set up metrics first.
"""

from __future__ import annotations

import secrets
import sys


def add_commands(commands, forms_commands) -> None:
    p = commands.add_parser("serve", help="run the HTTP service (default 127.0.0.1:8000)")
    p.add_argument("--host", help="address to listen on (default: NYSAN_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: NYSAN_PORT or 8000)")
    p.add_argument("--workers", type=int, help="gunicorn worker processes (default: NYSAN_WORKERS or 2)")
    p.add_argument(
        "--dev", action="store_true", help="Flask's development server with reloader and debugger (loopback only)"
    )
    p.set_defaults(func=cmd_serve)

    p = commands.add_parser("api-key", help="make a new API key and the hash to configure for it")
    p.set_defaults(func=cmd_api_key)


def cmd_serve(args) -> int:
    from .config import UnsafeBind, check_bind, is_loopback, load_config

    config = load_config()
    host = args.host or config["HOST"]
    port = args.port or config["PORT"]
    try:
        check_bind(host, config, accounts=not is_loopback(host) and _accounts_exist(config))
    except UnsafeBind as refusal:
        print(refusal.code, file=sys.stderr)
        return 2
    if args.dev and not is_loopback(host):
        print(
            f"nysan: refusing to run the development server (it has an interactive debugger) on {host}; "
            "use 127.0.0.1, or `nysan serve` without --dev.",
            file=sys.stderr,
        )
        return 2
    failure = _check_register(config, args.registry)
    if failure:
        return failure
    if not config["PUBLIC_URL"]:
        # Each issued document's QR code prints the verification address for good: one taken from a
        # laptop's request (http://127.0.0.1:8000) cannot be corrected later.
        print(
            f"nysan: NYSAN_PUBLIC_URL is not set: documents issued now carry QR codes with the address each "
            f"request came to (such as http://{host}:{port}), for good; set NYSAN_PUBLIC_URL to the address "
            "people will open (e.g. https://nysan.example.kz) before issuing real documents.",
            file=sys.stderr,
        )
    if args.dev:
        from .app import create_app

        create_app().run(host=host, port=port, debug=True, threaded=True)
        return 0
    if not config["API_KEYS"]:
        print(
            f"nysan: no API keys configured: the API is open, so it listens on loopback only ({host}).", file=sys.stderr
        )
    return _gunicorn(host, port, args.workers)


def _accounts_exist(config: dict) -> bool:
    from .web.accounts import accounts_exist

    return accounts_exist(config)


def _check_register(config: dict, registry) -> int:
    """Before serving: the SQLite register created and migrated, or PostgreSQL's schema current."""
    from recordkeeping import Register, RegisterError
    from recordkeeping.cli import register_failure
    from recordkeeping.settings import RecordSettings

    try:
        register = Register.open(registry, RecordSettings.from_config(config))
    except RegisterError as err:
        return register_failure(err)
    try:
        unknown = _unknown_organisation(register, config)
    except RegisterError as err:
        return register_failure(err)
    finally:
        register.close()
    if unknown:
        print(f"nysan: {unknown}", file=sys.stderr)
        return 2
    return 0


def _unknown_organisation(register, config: dict) -> str | None:
    """The first organisation an API key or an account names that has no record, as one line; None
    when all have one. The SQLite quick start's ``default`` is created as a placeholder (its name to
    be filled in: the web's front page asks an admin); a shared PostgreSQL register is never written
    to here."""
    from forms.errors import message
    from recordkeeping.organisations import Organisations
    from recordkeeping.users import Users

    organisations = Organisations(register.db)
    if register.db.sqlite:
        organisations.ensure("default", "quick start")
    named = {key["organisation"]: "an API key (NYSAN_API_KEYS)" for key in config["API_KEYS"]}
    for account in Users(register.db).list():
        if account.active:
            named.setdefault(account.organisation, "an account (nysan users list)")  # no name: stderr is logged
    missing = organisations.missing(set(named))
    if not missing:
        return None
    first = missing[0]
    return f"{message('organisation_unknown', 'en', organisation=first, source=named[first])} [organisation_unknown]"


def _gunicorn(host: str, port: int, workers: int | None) -> int:
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf

    options = gunicorn_conf.settings(host=host, port=port, workers=workers)

    class Server(BaseApplication):
        def load_config(self):
            for name, value in options.items():
                if name in self.cfg.settings:  # older gunicorns lack some settings
                    self.cfg.set(name, value)

        def load(self):
            from .app import create_app

            return create_app()

    sys.argv = sys.argv[:1]  # gunicorn reads no options of ours
    Server().run()
    return 0


def cmd_api_key(args) -> int:
    from .config import hash_key

    key = "nysan_" + secrets.token_urlsafe(32)
    print(f"key:  {key}\n      give it to the client (Authorization: Bearer ...); it is not stored anywhere.")
    print(f"hash: sha256:{hash_key(key)}\n      configure this: NYSAN_API_KEYS=sha256:{hash_key(key)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The ``nysan`` command: every layer's commands."""
    from forms import cli as engine_cli
    from forms.authoring import cli as authoring_cli
    from forms.calendar import cli as calendar_cli
    from recordkeeping import cli as records_cli

    return engine_cli.main(
        argv, (authoring_cli.add_commands, calendar_cli.add_commands, records_cli.add_commands, add_commands)
    )


if __name__ == "__main__":
    raise SystemExit(main())
