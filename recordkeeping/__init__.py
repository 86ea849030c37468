"""Nysan's system of record: everything that holds state. The register of issued documents (every
one numbered, kept unchanged and verifiable), its audit trail, and the clerks' accounts and drafts;
the cases, signatures and published form versions to come belong here too.

It uses the engine (``forms``), which never imports it; the service and the ``nysan`` command use
it. The database is reached through ``db.py`` alone, and any outage leaves it as one error,
``RegisterUnavailable``.

    documents.py the Register: issue and supersede (validate, render, mark, seal; number and store),
                 read, list, revoke, verify, purge, the audit trail
    batching.py  issues that reach the number's transaction together share it
    common.py    who acts (Actor), the time, digests
    db.py        the only way to the database: engine, transactions, migrations (Alembic)
    models.py    the tables                       migrations/  one Alembic revision per schema change
    numbers.py   gap-free numbers per organisation x form x year, and their printed format
    crypto.py    AES-GCM sealing of payloads and files at rest, the data key
    audit.py     the hash-chained audit trail
    users.py     clerks' accounts             drafts.py    drafts kept on the server, sealed
    cases.py     cases: applications running the declared flows (forms.flows), their journal and steps
    errors.py    the register's errors (codes in forms/messages.yaml)
"""

from .common import Actor
from .errors import (
    ActionNotAllowed,
    CaseNotFound,
    DataKeyInvalid,
    DataKeyMissing,
    DocumentNotFound,
    DocumentNotIssued,
    DocumentPurged,
    IdempotencyConflict,
    RegisterError,
    RegisterUnavailable,
    SchemaBehind,
)


def __getattr__(name: str):
    # The Register (and SQLAlchemy behind it) loads when first asked for: `nysan`'s parser imports
    # this package's commands, and `nysan render` needs no database library.
    if name in ("Register", "STATUSES"):
        from . import documents

        return getattr(documents, name)
    raise AttributeError(f"module 'recordkeeping' has no attribute {name!r}")


__all__ = [
    "Actor",
    "Register",
    "STATUSES",
    "RegisterError",
    "DocumentNotFound",
    "CaseNotFound",
    "ActionNotAllowed",
    "DocumentPurged",
    "DocumentNotIssued",
    "IdempotencyConflict",
    "RegisterUnavailable",
    "SchemaBehind",
    "DataKeyMissing",
    "DataKeyInvalid",
]
