"""Alembic's environment for the register: run on the connection ``Database.upgrade`` passes in."""

from alembic import context

from recordkeeping.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run the register's migrations with `nysan db upgrade`")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
