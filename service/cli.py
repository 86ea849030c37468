"""``nysan serve`` (gunicorn, or the Flask dev server with ``--dev``), ``nysan api-key``, and the
register's ``nysan db upgrade``, ``data-key``, ``register purge``, ``audit verify``, ``users``.

``main`` is the ``nysan`` command: the engine's commands (``forms.cli``) plus these. Keeps its imports light (no Flask, no prometheus_client
until a command runs) so that ``nysan render`` stays fast and gunicorn can set up metrics first.
"""
from __future__ import annotations

import secrets
import sys
from pathlib import Path


def register(commands, forms_commands) -> None:
    p = commands.add_parser("serve", help="run the HTTP service (default 127.0.0.1:8000)")
    p.add_argument("--host", help="address to listen on (default: NYSAN_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: NYSAN_PORT or 8000)")
    p.add_argument("--workers", type=int, help="gunicorn worker processes (default: NYSAN_WORKERS or 2)")
    p.add_argument("--dev", action="store_true", help="Flask's development server with reloader and debugger "
                                                      "(loopback only)")
    p.set_defaults(func=cmd_serve)

    p = commands.add_parser("api-key", help="make a new API key and the hash to configure for it")
    p.set_defaults(func=cmd_api_key)
    register_commands(commands)


def register_commands(commands) -> None:
    """The register's commands: db upgrade, data-key, register purge, audit verify."""
    p = commands.add_parser("db", help="the register's database")
    sub = p.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="migrate the database to this Nysan's schema (NYSAN_DATABASE_URL, "
                                   "else the SQLite file in NYSAN_STATE_DIR)").set_defaults(func=cmd_db_upgrade)

    p = commands.add_parser("data-key", help="print a new key for NYSAN_DATA_KEY (encryption of stored documents)")
    p.set_defaults(func=cmd_data_key)

    p = commands.add_parser("register", help="the register of issued documents")
    sub = p.add_subparsers(dest="register_command", required=True)
    purge = sub.add_parser("purge", help="erase the data and files of documents older than the retention period "
                                         "(number, digest and status stay)")
    purge.add_argument("--older-than", type=int, metavar="DAYS",
                       help="days since issue (default: NYSAN_RETENTION_DAYS)")
    purge.set_defaults(func=cmd_register_purge)

    users_commands(commands)

    p = commands.add_parser("audit", help="the register's audit trail")
    sub = p.add_subparsers(dest="audit_command", required=True)
    sub.add_parser("verify", help="check the hash chain of every audit event; names the first bad one"
                   ).set_defaults(func=cmd_audit_verify)


def users_commands(commands) -> None:
    """``nysan users add|list|disable|reset-password``: clerks' accounts in the register's database."""
    p = commands.add_parser("users", help="clerks' accounts of the web forms")
    sub = p.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="a new account (asks for the password without --password-file)")
    add.add_argument("username")
    add.add_argument("--org", required=True, help="the organisation whose documents the account sees")
    add.add_argument("--role", required=True, choices=("clerk", "supervisor", "admin"))
    add.add_argument("--password-file", help="read the password from this file's first line")
    add.set_defaults(func=cmd_users_add)
    sub.add_parser("list", help="every account: name, organisation, role, state").set_defaults(func=cmd_users_list)
    disable = sub.add_parser("disable", help="refuse the account's sign-in from now on")
    disable.add_argument("username")
    disable.set_defaults(func=cmd_users_disable)
    reset = sub.add_parser("reset-password", help="a new password (lifts a lockout, enables the account)")
    reset.add_argument("username")
    reset.add_argument("--password-file", help="read the password from this file's first line")
    reset.set_defaults(func=cmd_users_reset)


def _password(path: str | None) -> str:
    if path:
        return Path(path).read_text(encoding="utf-8").splitlines()[0] if Path(path).stat().st_size else ""
    import getpass
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the passwords differ")
    return first


def _users_command(action) -> int:
    """Run ``action(users)`` on the register's accounts; refusals and a database that cannot open
    are one line on stderr, never a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from forms.register import RegisterError
    from forms.register.users import AccountError, Users

    from .config import load_config

    try:
        register = open_register(load_config())
    except (RegisterError, SQLAlchemyError) as err:
        return _register_failure(err)
    try:
        return action(Users(register.db))
    except (AccountError, ValueError, OSError) as err:
        print(f"nysan: users: {err}", file=sys.stderr)
        return 2
    finally:
        register.close()


def cmd_users_add(args) -> int:
    def add(users):
        account = users.add(args.username, args.org, args.role, _password(args.password_file))
        print(f"nysan: added {account.username} ({account.role}, {account.organisation})")
        return 0
    return _users_command(add)


def cmd_users_list(args) -> int:
    def show(users):
        for account in users.list():
            state = "active" if account.active else "disabled"
            print(f"{account.username}\t{account.organisation}\t{account.role}\t{state}")
        return 0
    return _users_command(show)


def cmd_users_disable(args) -> int:
    def disable(users):
        users.disable(args.username)
        print(f"nysan: disabled {args.username}")
        return 0
    return _users_command(disable)


def cmd_users_reset(args) -> int:
    def reset(users):
        users.reset_password(args.username, _password(args.password_file))
        print(f"nysan: new password set for {args.username}")
        return 0
    return _users_command(reset)


def open_register(config: dict, migrate: bool = True):
    """The register with the service's settings (SQLite created and migrated when ``migrate``)."""
    import forms
    from forms.register import Register

    registry = forms.Registry(config["DATA_DIR"]) if config["DATA_DIR"] else forms.default_registry()
    return Register.open(registry, config["DATABASE_URL"], config["STATE_DIR"], config["DATA_KEY"],
                         config["NUMBER_FORMATS"], migrate=migrate)


def _register_failure(err: Exception) -> int:
    """A register that cannot open: its own message, or the database's error type (never its text,
    which may quote a connection string with a password)."""
    from forms.register import RegisterError

    text = err.message("en") if isinstance(err, RegisterError) else f"cannot reach the database ({type(err).__name__})"
    print(f"nysan: register: {text}", file=sys.stderr)
    return 2


def cmd_db_upgrade(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from forms.register.db import Database, database_url, default_state_dir

    from .config import load_config

    config = load_config()
    database = Database(database_url(config["DATABASE_URL"], Path(config["STATE_DIR"] or default_state_dir())))
    try:
        database.upgrade()
        current, _ = database.revisions()
    except SQLAlchemyError as err:
        return _register_failure(err)
    finally:
        database.dispose()
    print(f"nysan: the register's database is at revision {', '.join(sorted(current))} (the newest)")
    return 0


def cmd_data_key(args) -> int:
    from forms.register.crypto import new_key

    print(new_key())
    return 0


def cmd_register_purge(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from forms.register import RegisterError

    from .config import load_config

    config = load_config()
    days = args.older_than if args.older_than is not None else (config["RETENTION_DAYS"] or None)
    if days is None or days < 0:
        print("nysan: give --older-than DAYS or set NYSAN_RETENTION_DAYS", file=sys.stderr)
        return 2
    try:
        register = open_register(config)
        count = register.purge(days)
    except (RegisterError, SQLAlchemyError) as err:
        return _register_failure(err)
    register.close()
    print(f"nysan: purged {count} document(s) issued more than {days} day(s) ago")
    return 0


def cmd_audit_verify(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from forms.register import RegisterError

    from .config import load_config

    try:
        register = open_register(load_config())
        report = register.verify_audit()
    except (RegisterError, SQLAlchemyError) as err:
        return _register_failure(err)
    register.close()
    if report.ok:
        print(f"nysan: audit chain intact: {report.events} event(s)")
        return 0
    print(f"nysan: audit chain broken at event {report.bad_event}: {report.problem}", file=sys.stderr)
    return 1


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
        print(f"nysan: refusing to run the development server (it has an interactive debugger) on {host}; "
              "use 127.0.0.1, or `nysan serve` without --dev.", file=sys.stderr)
        return 2
    failure = _check_register(config)
    if failure:
        return failure
    if not config["PUBLIC_URL"]:
        # Each issued document's QR code prints the verification address for good: one taken from a
        # laptop's request (http://127.0.0.1:8000) cannot be corrected later.
        print(f"nysan: NYSAN_PUBLIC_URL is not set: documents issued now carry QR codes with the address each "
              f"request came to (such as http://{host}:{port}), for good; set NYSAN_PUBLIC_URL to the address "
              "people will open (e.g. https://nysan.example.kz) before issuing real documents.", file=sys.stderr)
    if args.dev:
        from .app import create_app
        create_app().run(host=host, port=port, debug=True, threaded=True)
        return 0
    if not config["API_KEYS"]:
        print(f"nysan: no API keys configured: the API is open, so it listens on loopback only ({host}).",
              file=sys.stderr)
    return _gunicorn(host, port, args.workers)


def _accounts_exist(config: dict) -> bool:
    from .web.accounts import accounts_exist
    return accounts_exist(config)


def _check_register(config: dict) -> int:
    """Before serving: the SQLite register created and migrated, or PostgreSQL's schema current."""
    from sqlalchemy.exc import SQLAlchemyError

    from forms.register import RegisterError

    try:
        open_register(config).close()
    except (RegisterError, SQLAlchemyError) as err:
        return _register_failure(err)
    return 0


def _gunicorn(host: str, port: int, workers: int | None) -> int:
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf

    options = gunicorn_conf.settings(host=host, port=port, workers=workers)

    class Server(BaseApplication):
        def load_config(self):
            for name, value in options.items():
                if name in self.cfg.settings:     # older gunicorns lack some settings
                    self.cfg.set(name, value)

        def load(self):
            from .app import create_app
            return create_app()

    sys.argv = sys.argv[:1]   # gunicorn reads no options of ours
    Server().run()
    return 0


def cmd_api_key(args) -> int:
    from .config import hash_key

    key = "nysan_" + secrets.token_urlsafe(32)
    print(f"key:  {key}\n      give it to the client (Authorization: Bearer ...); it is not stored anywhere.")
    print(f"hash: sha256:{hash_key(key)}\n      configure this: NYSAN_API_KEYS=sha256:{hash_key(key)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The ``nysan`` command."""
    from forms.cli import main as engine_main

    return engine_main(argv, registrars=(register,))


if __name__ == "__main__":
    raise SystemExit(main())
