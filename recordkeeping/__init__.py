"""The register: every issued document numbered, kept unchanged and verifiable.

The pipeline's last step, kept apart from rendering (``forms.render`` stays stateless and never
imports this package); the service and the ``nysan`` command use it.

    store.py     the Register: read, list, revoke, verify, purge, audit (and issuing's operations)
    issuing.py   issue and supersede: validate, render, mark, seal; number and store
    batching.py  issues that reach the number's transaction together share it
    common.py    who acts (Actor), the time, digests
    db.py        the only way to the database: engine, transactions, migrations (Alembic)
    models.py    the tables                       migrations/  one Alembic revision per schema change
    numbers.py   gap-free numbers per organisation x form x year, and their printed format
    crypto.py    AES-GCM sealing of payloads and files at rest, the data key
    audit.py     the hash-chained audit trail
    users.py     clerks' accounts             drafts.py    drafts kept on the server, sealed
    errors.py    the register's errors (codes in forms/messages.yaml)
"""
from .errors import (DataKeyInvalid, DataKeyMissing, DocumentNotFound, DocumentNotIssued, DocumentPurged,
                     IdempotencyConflict, RegisterError, RegisterUnavailable, SchemaBehind)
from .store import STATUSES, Actor, Register

__all__ = ["Actor", "Register", "STATUSES", "RegisterError", "DocumentNotFound", "DocumentPurged",
           "DocumentNotIssued", "IdempotencyConflict", "RegisterUnavailable", "SchemaBehind", "DataKeyMissing", "DataKeyInvalid"]
