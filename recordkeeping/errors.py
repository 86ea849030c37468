"""The register's errors: each a stable code with messages in forms/messages.yaml, like the engine's."""

from __future__ import annotations

from forms.errors import NysanError


class RegisterError(NysanError):
    """Any refusal or failure of the system of record (its subclasses say which)."""

    code = "register_error"


class DocumentNotFound(RegisterError):
    """No such document in the caller's organisation (another organisation's looks the same)."""

    code = "document_not_found"


class DocumentPurged(RegisterError):
    """The retention period erased the document's data and file; number, digest and status remain."""

    code = "document_purged"


class DocumentNotIssued(RegisterError):
    """Only a document in force (status ``issued``) can be revoked or superseded."""

    code = "document_not_issued"


class CaseNotFound(RegisterError):
    """No such case in the caller's organisation (another organisation's looks the same)."""

    code = "case_not_found"


class ActionNotAllowed(RegisterError):
    """The step cannot be taken from the case's state, or not by the actor's role."""

    code = "action_not_allowed"


class IdempotencyConflict(RegisterError):
    """The Idempotency-Key was already used with another request body."""

    code = "idempotency_key_reused"


class RegisterUnavailable(RegisterError):
    """The register's database cannot be reached or failed mid-transaction (any outage, one error)."""

    code = "register_unavailable"


class SchemaBehind(RegisterError):
    """The database's schema is older than this Nysan: ``nysan db upgrade`` first."""

    code = "register_schema_behind"


class DataKeyMissing(RegisterError):
    """PostgreSQL needs NYSAN_DATA_KEY (no key is generated next to a shared database)."""

    code = "data_key_missing"


class DataKeyInvalid(RegisterError):
    """NYSAN_DATA_KEY (or the generated key file) is not 32 bytes of urlsafe base64."""

    code = "data_key_invalid"


class JournalNotFound(RegisterError):
    """The form is no flow's journal (``journal:`` of docs/flows.md): there is nothing to keep it from."""

    code = "journal_not_found"
