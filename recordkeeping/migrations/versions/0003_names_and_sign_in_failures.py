"""One account per name ignoring case and NFKC (users.username_key, a unique index); wrong passwords
counted per name, known or not, in sign_in_failures (users.failed_logins and locked_until go).

Accounts whose names differ only by case or compatibility form may already exist: the oldest of each
such group keeps the name (its key is set); the later ones are disabled, their sessions ended, their
key left NULL (outside the unique index), so the upgrade never fails on them. ``nysan users list``
shows them as ``disabled (duplicate name)``; the clerk gets a new account with another name. A
lockout in force carries over to the name's counter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

import datetime as dt
import hashlib
import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("nysan.accounts")


def _key(name: str) -> str:
    """As recordkeeping/users.py's ``name_key`` was at this revision (kept here: a migration must
    not change when the code does)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("name_sha256", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_failure", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sign_in_failures_last_failure", "sign_in_failures", ["last_failure"])
    conn = op.get_bind()
    users = sa.table(
        "users",
        sa.column("id", sa.Integer()),
        sa.column("username", sa.String()),
        sa.column("username_key", sa.String()),
        sa.column("active", sa.Boolean()),
        sa.column("session_epoch", sa.Integer()),
        sa.column("failed_logins", sa.Integer()),
        sa.column("locked_until", sa.DateTime()),
    )
    rows = conn.execute(
        sa.select(users.c.id, users.c.username, users.c.failed_logins, users.c.locked_until).order_by(users.c.id)
    ).all()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    failures = sa.table(
        "sign_in_failures",
        sa.column("name_sha256", sa.String()),
        sa.column("failures", sa.Integer()),
        sa.column("locked_until", sa.DateTime()),
        sa.column("last_failure", sa.DateTime()),
    )
    keys: dict[str, int] = {}  # key -> the oldest account's number
    duplicates: list[int] = []
    for user_id, name, failed, locked_until in rows:
        key = _key(name)
        if key in keys:
            duplicates.append(user_id)
            continue
        keys[key] = user_id
        if failed or (locked_until is not None and locked_until > now):
            conn.execute(
                failures.insert().values(
                    name_sha256=hashlib.sha256(key.encode("utf-8")).hexdigest(),
                    failures=failed or 0,
                    locked_until=locked_until if locked_until is not None and locked_until > now else None,
                    last_failure=now,
                )
            )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("username_key", sa.String(64), nullable=True))
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")
    for key, user_id in keys.items():
        conn.execute(users.update().where(users.c.id == user_id).values(username_key=key))
    if duplicates:
        conn.execute(
            users.update()
            .where(users.c.id.in_(duplicates))
            .values(active=False, session_epoch=users.c.session_epoch + 1)
        )
        # Numbers only: names are personal data.
        log.warning(
            "accounts disabled: their names differ from an older account's only by case or form: %s",
            ", ".join(str(n) for n in duplicates),
        )
    op.create_index("uq_users_username_key", "users", ["username_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_username_key", "users")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.drop_column("username_key")
    op.drop_index("ix_sign_in_failures_last_failure", "sign_in_failures")
    op.drop_table("sign_in_failures")
