"""Organisations as records: ``organisations`` (the id documents, keys and accounts already carry, and
the revision in force) and ``organisation_revisions`` (one immutable row per change); each document
gains ``organisation_revision``, the row in force when it was issued (NULL for those issued before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("current", ROW_ID, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "organisation_revisions",
        sa.Column("row", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.Column("name_kk", sa.String(500), nullable=False),
        sa.Column("name_ru", sa.String(500), nullable=False),
        sa.Column("short_name", sa.String(200), nullable=True),
        sa.Column("bin", sa.String(12), nullable=True),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("address_kk", sa.String(500), nullable=True),
        sa.Column("address_ru", sa.String(500), nullable=True),
        sa.Column("head_kk", sa.String(200), nullable=True),
        sa.Column("head_ru", sa.String(200), nullable=True),
        sa.Column("head_position_kk", sa.String(300), nullable=True),
        sa.Column("head_position_ru", sa.String(300), nullable=True),
        sa.Column("number_format", sa.String(100), nullable=True),
        sa.UniqueConstraint("organisation", "revision", name="uq_organisation_revisions"),
    )
    op.create_index("ix_organisation_revisions_organisation", "organisation_revisions", ["organisation"])
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("organisation_revision", ROW_ID, nullable=True))
    _placeholders()


def _placeholders() -> None:
    """Every organisation the register already knows (its documents', its accounts') gets a record
    named by its id and marked a placeholder, to be filled in with ``nysan orgs edit``."""
    conn = op.get_bind()
    known = sorted(
        {row[0] for row in conn.execute(sa.text("SELECT DISTINCT organisation FROM documents"))}
        | {row[0] for row in conn.execute(sa.text("SELECT DISTINCT organisation FROM users"))}
    )
    revisions = sa.table(
        "organisation_revisions",
        sa.column("row", sa.Integer()),
        sa.column("organisation", sa.String()),
        sa.column("revision", sa.Integer()),
        sa.column("changed_at", sa.DateTime()),
        sa.column("actor", sa.String()),
        sa.column("placeholder", sa.Boolean()),
        sa.column("name_kk", sa.String()),
        sa.column("name_ru", sa.String()),
    )
    organisations = sa.table(
        "organisations", sa.column("id", sa.String()), sa.column("current", sa.Integer()), sa.column("created_at")
    )
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for organisation in known:
        conn.execute(
            revisions.insert().values(
                organisation=organisation,
                revision=1,
                changed_at=now,
                actor="migration",
                placeholder=True,
                name_kk=organisation,
                name_ru=organisation,
            )
        )
        row = conn.execute(
            sa.select(revisions.c.row).where(revisions.c.organisation == organisation, revisions.c.revision == 1)
        ).scalar_one()
        conn.execute(organisations.insert().values(id=organisation, current=row, created_at=now))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("organisation_revision")
    op.drop_index("ix_organisation_revisions_organisation", "organisation_revisions")
    op.drop_table("organisation_revisions")
    op.drop_table("organisations")
