"""The system of record's commands: ``nysan db upgrade``, ``data-key``, ``register purge``, ``audit
verify``, ``users`` and ``orgs``. Settings from the environment (``recordkeeping/settings.py``); refusals and a
database that cannot open are one line on stderr, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RegisterError, RegisterUnavailable
from .settings import RecordSettings

if TYPE_CHECKING:
    from .documents import Register

# Imported where used: building `nysan`'s parser must stay light (no database library) for
# `nysan render` and the others.


def add_commands(commands, forms_commands=None) -> None:
    """The register's commands: db upgrade, data-key, register purge, audit verify."""
    p = commands.add_parser("db", help="the register's database")
    sub = p.add_subparsers(dest="db_command", required=True)
    sub.add_parser(
        "upgrade",
        help="migrate the database to this Nysan's schema (NYSAN_DATABASE_URL, "
        "else the SQLite file in NYSAN_STATE_DIR)",
    ).set_defaults(func=cmd_db_upgrade)

    p = commands.add_parser("data-key", help="print a new key for NYSAN_DATA_KEY (encryption of stored documents)")
    p.set_defaults(func=cmd_data_key)

    p = commands.add_parser("register", help="the register of issued documents")
    sub = p.add_subparsers(dest="register_command", required=True)
    purge = sub.add_parser(
        "purge",
        help="erase the data and files of documents older than the retention period (number, digest and status stay)",
    )
    purge.add_argument(
        "--older-than", type=int, metavar="DAYS", help="days since issue (default: NYSAN_RETENTION_DAYS)"
    )
    purge.set_defaults(func=cmd_register_purge)

    _users_commands(commands)
    _orgs_commands(commands)

    p = commands.add_parser("audit", help="the register's audit trail")
    sub = p.add_subparsers(dest="audit_command", required=True)
    sub.add_parser("verify", help="check the hash chain of every audit event; names the first bad one").set_defaults(
        func=cmd_audit_verify
    )


def _users_commands(commands) -> None:
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


# option -> the record's field (recordkeeping/organisations.py FIELDS)
ORG_OPTIONS = {
    "--name-kk": "name_kk",
    "--name-ru": "name_ru",
    "--short-name": "short_name",
    "--bin": "bin",
    "--kind": "kind",
    "--address-kk": "address_kk",
    "--address-ru": "address_ru",
    "--head-kk": "head_kk",
    "--head-ru": "head_ru",
    "--head-position-kk": "head_position_kk",
    "--head-position-ru": "head_position_ru",
    "--number-format": "number_format",
}


def _orgs_commands(commands) -> None:
    """``nysan orgs add|edit|list``: organisations' records (names, BIN, head, address)."""
    p = commands.add_parser("orgs", help="organisations' records: official names, BIN, head, address")
    sub = p.add_subparsers(dest="orgs_command", required=True)
    for name, func, text in (
        ("add", cmd_orgs_add, "a new organisation (--name-kk, --name-ru, --bin, --head-kk, --head-ru required)"),
        ("edit", cmd_orgs_edit, "change an organisation's record (documents issued keep the old one)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("id", help="the organisation's id, as API keys and accounts name it")
        for option, field in ORG_OPTIONS.items():
            command.add_argument(option, dest=field, metavar="TEXT")
        command.set_defaults(func=func)
    sub.add_parser("list", help="every organisation: id, BIN, names, head").set_defaults(func=cmd_orgs_list)


def _orgs_command(args, action) -> int:
    """Run ``action(organisations)``; a refusal is one line naming the field, exit 1."""
    from .organisations import OrganisationError, Organisations

    try:
        register = open_register(args)
    except RegisterError as err:
        return register_failure(err)
    try:
        return action(Organisations(register.db))
    except OrganisationError as err:
        field = f"{err.field}: " if err.field else ""
        print(f"nysan: orgs: {field}{err} [{err.code}]", file=sys.stderr)
        return 1
    finally:
        register.close()


def _org_values(args) -> dict[str, str | None]:
    return {field: getattr(args, field) for field in ORG_OPTIONS.values()}


def cmd_orgs_add(args) -> int:
    def add(organisations):
        record = organisations.add(args.id, "cli", **_org_values(args))
        print(f"nysan: added {record['id']} ({record['name']['ru']})")
        return 0

    return _orgs_command(args, add)


def cmd_orgs_edit(args) -> int:
    def edit(organisations):
        record = organisations.edit(args.id, "cli", **_org_values(args))
        print(f"nysan: {record['id']} is at revision {record['revision']}")
        return 0

    return _orgs_command(args, edit)


def cmd_orgs_list(args) -> int:
    def show(organisations):
        for record in organisations.list():
            state = "placeholder" if record["placeholder"] else f"revision {record['revision']}"
            print(
                f"{record['id']}\t{record['bin'] or '-'}\t{record['name']['kk']}\t{record['name']['ru']}"
                f"\t{record['head']['name']['ru'] or '-'}\t{state}"
            )
        return 0

    return _orgs_command(args, show)


def _password(path: str | None) -> str:
    if path:
        return Path(path).read_text(encoding="utf-8").splitlines()[0] if Path(path).stat().st_size else ""
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the passwords differ")
    return first


def _users_command(args, action) -> int:
    """Run ``action(users)`` on the register's accounts; refusals and a database that cannot open
    are one line on stderr, never a traceback."""
    from .users import AccountError, Users

    try:
        register = open_register(args)
    except RegisterError as err:
        return register_failure(err)
    try:
        return action(Users(register.db))
    except AccountError as err:
        print(f"nysan: users: {err} [{err.code}]", file=sys.stderr)  # the code: stable, for scripts
        return 2
    except (ValueError, OSError) as err:
        print(f"nysan: users: {err}", file=sys.stderr)
        return 2
    finally:
        register.close()


def cmd_users_add(args) -> int:
    def add(users):
        account = users.add(args.username, args.org, args.role, _password(args.password_file))
        print(f"nysan: added {account.username} ({account.role}, {account.organisation})")
        return 0

    return _users_command(args, add)


def cmd_users_list(args) -> int:
    def show(users):
        for account in users.list():
            state = "active" if account.active else "disabled"
            if account.duplicate_name:
                state = "disabled (duplicate name)"  # migration 0003: an older account has its name
            print(f"{account.username}\t{account.organisation}\t{account.role}\t{state}")
        return 0

    return _users_command(args, show)


def cmd_users_disable(args) -> int:
    def disable(users):
        users.disable(args.username)
        print(f"nysan: disabled {args.username}")
        return 0

    return _users_command(args, disable)


def cmd_users_reset(args) -> int:
    def reset(users):
        users.reset_password(args.username, _password(args.password_file))
        print(f"nysan: new password set for {args.username}")
        return 0

    return _users_command(args, reset)


def open_register(args, migrate: bool = True) -> Register:
    """The register with the settings of the environment (SQLite created and migrated when
    ``migrate``), rendering with the command's registry."""
    from .documents import Register

    return Register.open(args.registry, RecordSettings.from_config({}), migrate=migrate)


def register_failure(err: Exception) -> int:
    """A register that cannot open: its own message, or the database's error type (never its text,
    which may quote a connection string with a password)."""
    if isinstance(err, RegisterUnavailable) or not isinstance(err, RegisterError):
        text = f"cannot reach the database ({type(err.__cause__ or err).__name__})"
    else:
        text = err.message("en")
    print(f"nysan: register: {text}", file=sys.stderr)
    return 2


def cmd_db_upgrade(args) -> int:
    database = RecordSettings.from_config({}).database()
    try:
        database.upgrade()
        current, _ = database.revisions()
    except RegisterError as err:
        return register_failure(err)
    finally:
        database.dispose()
    print(f"nysan: the register's database is at revision {', '.join(sorted(current))} (the newest)")
    return 0


def cmd_data_key(args) -> int:
    from .crypto import new_key

    print(new_key())
    return 0


def cmd_register_purge(args) -> int:
    settings = RecordSettings.from_config({})
    days = args.older_than if args.older_than is not None else (settings.retention_days or None)
    if days is None or days < 0:
        print("nysan: give --older-than DAYS or set NYSAN_RETENTION_DAYS", file=sys.stderr)
        return 2
    try:
        register = open_register(args)
        count = register.purge(days)
    except RegisterError as err:
        return register_failure(err)
    register.close()
    print(f"nysan: purged {count} document(s) issued more than {days} day(s) ago")
    return 0


def cmd_audit_verify(args) -> int:
    try:
        register = open_register(args)
        report = register.verify_audit()
    except RegisterError as err:
        return register_failure(err)
    register.close()
    if report.ok:
        print(f"nysan: audit chain intact: {report.events} event(s)")
        return 0
    print(f"nysan: audit chain broken at event {report.bad_event}: {report.problem}", file=sys.stderr)
    return 1
