"""The only way to the database: an engine per URL, write and read transactions, migrations.

SQLite (the default, one file in the state folder) takes its write lock when a write transaction
begins (``BEGIN IMMEDIATE``), so concurrent issuers queue at the start instead of failing halfway
with "database is locked"; WAL lets readers go on meanwhile. Writers first queue on a lock of
their own (a thread lock, then ``flock`` on a file beside the database, across processes): the
kernel hands it on the moment it is released, where SQLite's busy handler would have its waiters
sleep and poll (1, 2, 5 … 100 ms), which under load left the database idle and answers waiting for
a second. PostgreSQL's connections are checked before use, so the service recovers by itself after
the server restarts.

Every failure of the database (unreachable, a connection lost mid-transaction or at its commit, the
pool exhausted) leaves this module as one error, ``RegisterUnavailable``; only a broken constraint
(``IntegrityError``: a raced Idempotency-Key) keeps its own type, because callers act on it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from .errors import RegisterUnavailable, SchemaBehind

MIGRATIONS = "recordkeeping:migrations"


class Database:
    def __init__(self, url: str):
        self.url = make_url(url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        if self.sqlite:
            if self.url.database:
                Path(self.url.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # only its user
            self.engine = create_engine(self.url, connect_args={"timeout": 60, "check_same_thread": False})
            _sqlite_transactions(self.engine)
            _private_files(self.engine, self.url.database)
            self._writers = WriterQueue(f"{self.url.database}.write-lock" if self.url.database else None)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=8, max_overflow=8, pool_timeout=10)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that writes: committed when the block ends, rolled back when it raises."""
        with (
            outage_as_unavailable(),
            self._writers if self.sqlite else contextlib.nullcontext(),
            self.engine.connect() as conn,
        ):
            conn.execution_options(nysan_write=True)
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with outage_as_unavailable(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- migrations ------------------------------------------------------------------------------

    def _alembic(self) -> AlembicConfig:
        config = AlembicConfig()
        config.set_main_option("script_location", MIGRATIONS)
        return config

    def revisions(self) -> tuple[set[str], set[str]]:
        """(the database's revisions, this Nysan's heads)."""
        heads = set(ScriptDirectory.from_config(self._alembic()).get_heads())
        with outage_as_unavailable(), self.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        return current, heads

    def is_current(self) -> bool:
        current, heads = self.revisions()
        return current == heads

    def upgrade(self) -> None:
        """Migrate to the newest schema (one process at a time for a SQLite file)."""
        with self._migration_lock():
            config = self._alembic()
            with outage_as_unavailable(), self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")

    def require_current(self) -> None:
        if not self.is_current():
            raise SchemaBehind()

    @contextlib.contextmanager
    def _migration_lock(self):
        if not (self.sqlite and self.url.database):
            yield  # PostgreSQL: Alembic's transaction on alembic_version serialises upgrades
            return
        with open(f"{self.url.database}.migrate-lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def dispose(self) -> None:
        self.engine.dispose()
        if self.sqlite:
            self._writers.close()


@contextlib.contextmanager
def outage_as_unavailable() -> Iterator[None]:
    """Any database error but a broken constraint, as ``RegisterUnavailable`` (chained, for the log)."""
    try:
        yield
    except IntegrityError:
        raise
    except SQLAlchemyError as err:
        raise RegisterUnavailable() from err


def _sqlite_transactions(engine: Engine) -> None:
    """pysqlite's own BEGIN handling is off, so that ours (IMMEDIATE for writes) is the one sent."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a document answered 201 survives a crash
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("nysan_write") else "BEGIN")


def _private_files(engine: Engine, path: str | None) -> None:
    """The database (and so its WAL and SHM files, which SQLite creates with the database's mode) is
    readable by its user only, like the data key, whatever the folder's mode or the umask: made 0600
    before SQLite first opens it, and a wider one (an older Nysan's) narrowed."""
    if not path or path == ":memory:":
        return

    @event.listens_for(engine, "do_connect")
    def _before_open(_dialect, _record, _args, _kwargs):
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            for name in (path, f"{path}-wal", f"{path}-shm"):
                with contextlib.suppress(FileNotFoundError, PermissionError):
                    if os.stat(name).st_mode & 0o077:
                        os.chmod(name, 0o600)


class WriterQueue:
    """One SQLite writer at a time: a thread lock within the process, ``flock`` across processes
    (the lock file is opened anew in a forked process, whose copy would share the parent's lock)."""

    def __init__(self, path: str | None):
        self.path = path
        self._thread_lock = threading.Lock()
        self._handle: TextIO | None = None
        self._pid: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        try:
            if self.path:
                if self._handle is None or self._pid != os.getpid():  # no handle: no pid either
                    self._handle = open(self.path, "a")  # noqa: SIM115 - kept open for the process
                    self._pid = os.getpid()
                fcntl.flock(self._handle, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, *exc) -> None:
        try:
            if self.path and self._handle is not None:
                fcntl.flock(self._handle, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        with self._thread_lock:
            if self._handle is not None:
                self._handle.close()
                self._handle, self._pid = None, None
