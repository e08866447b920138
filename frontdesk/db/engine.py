"""Engine factory and unit-of-work sessions for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 15_000
# No memory map (PRAGMA mmap_size): on the decade data it took find's p95 from 0.62 to
# 0.54 ms, but every page a start touched counted in the desk's memory (peak RSS 72 ->
# 201 MiB); read() leaves those pages in the system's file cache instead.


class DatabaseError(Exception):
    """The database cannot be used; the message is fit for the person at the desk."""


class DatabaseUnavailable(DatabaseError):
    """The database could not be reached or opened."""


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder and the file (readable by its owner only) before SQLite opens it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    except PermissionError:
        raise DatabaseUnavailable(
            f"cannot create the database in {path.parent}: no permission to write there"
        ) from None
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot create the database at {path}: {exc.strerror}") from None
    if not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseUnavailable(f"the database file {path} cannot be read and written")
    if not os.access(path.parent, os.W_OK):
        # SQLite's WAL mode needs to create -wal and -shm files beside the database.
        raise DatabaseUnavailable(f"no permission to write in {path.parent}")


def _set_busy_timeout(dbapi_conn: Any, info: dict[str, Any], ms: int) -> None:
    """Set the connection's busy timeout, unless it is set so already (one PRAGMA saved)."""
    if info.get("busy_timeout_ms", SQLITE_BUSY_TIMEOUT_MS) != ms:
        dbapi_conn.execute(f"PRAGMA busy_timeout={ms}")
        info["busy_timeout_ms"] = ms


def _begin_immediate(dbapi_conn: Any, info: dict[str, Any]) -> None:
    """Take SQLite's write lock, retrying every millisecond or so while another desk has it.

    SQLite's own busy handler backs off in steps of up to 100 ms, so with several desks
    the waiting ones sleep long after the lock is free; write transactions here last a
    few milliseconds, so a short, jittered retry keeps the desks moving.

    The busy timeout stays 0 after a write (holding the write lock, a WAL writer waits for
    nobody); the next read transaction on this connection puts it back (see "begin"). So
    a run of writes costs one statement each, not three.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    _set_busy_timeout(dbapi_conn, info, 0)
    pause = 0.0005
    while True:
        try:
            dbapi_conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 1.5, 0.01)


def _sqlite_engine(url: Any, **kwargs: Any) -> Engine:
    database = url.database
    if database and database != ":memory:":
        _prepare_sqlite_file(Path(database).expanduser())
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin").
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        _record.info["busy_timeout_ms"] = SQLITE_BUSY_TIMEOUT_MS

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front, so two desks never both read "next ticket"
        # and then fight over the upgrade; readers stay deferred and never block writers.
        dbapi_conn, info = conn.connection.dbapi_connection, conn.connection.info
        options = conn.get_execution_options()
        if options.get("frontdesk_write", False):
            _begin_immediate(dbapi_conn, info)
        else:
            _set_busy_timeout(dbapi_conn, info, SQLITE_BUSY_TIMEOUT_MS)
            conn.exec_driver_sql("BEGIN")

    return engine


class _NoRowsInLogs(logging.Filter):
    """SQLAlchemy logs every fetched row at DEBUG; rows hold names and phone numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


_ROW_FILTER = _NoRowsInLogs()


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Rows hold personal data: keep bound values out of SQL logs and error messages,
    # and fetched rows out of the DEBUG log.
    kwargs.setdefault("hide_parameters", True)
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    if _ROW_FILTER not in engine_logger.filters:
        engine_logger.addFilter(_ROW_FILTER)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"{url!r} is not a database URL; write e.g. sqlite:///path/to/file.sqlite3 "
            "or postgresql+psycopg://user@host/dbname"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed, **kwargs)
        if parsed.get_backend_name() == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            return create_engine(parsed, pool_pre_ping=True, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError):
        raise DatabaseUnavailable(
            f"no driver for {parsed.drivername}; for PostgreSQL install frontdesk[postgres]"
        ) from None
    raise DatabaseUnavailable(
        f"frontdesk works with SQLite or PostgreSQL, not {parsed.get_backend_name()!r}"
    )


class Database:
    """One database: an engine and its units of work: write(), read(), and reading() to
    group several reads in one snapshot."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._writer = self.engine.execution_options(frontdesk_write=True)
        # reading()'s connection, per thread: the reads inside share its transaction.
        self._shared = threading.local()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def safe_url(self) -> str:
        """The URL without a password, fit for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits whole when the block ends, or changes nothing."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads as one: every read() in this block, on this thread, runs on one
        connection in one read transaction, so they see one snapshot.

        For a refresh that asks several services (the desk: the queue's changes, the
        visitor card, the waiting strip, the stock); on PostgreSQL it also saves a pool
        check-out, a BEGIN and a COMMIT per read. Writes inside the block are not part of
        it (they take their own connection, as always). Nested blocks join the outer one.
        """
        if getattr(self._shared, "conn", None) is not None:
            yield
            return
        with self.engine.connect() as conn, conn.begin():
            self._shared.conn = conn
            try:
                yield
            finally:
                self._shared.conn = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        shared: Connection | None = getattr(self._shared, "conn", None)
        if shared is not None:  # inside reading(): its transaction, left open for the rest
            with Session(shared, join_transaction_mode="rollback_only") as session:
                yield session
            return
        with Session(self.engine) as session, session.begin():
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """Like :meth:`read`, without the ORM session: a Core connection in a read
        transaction (inside :meth:`reading`, its shared one), for a read that runs its own
        statements (the day report), where building the session cost a sixth of the time."""
        shared: Connection | None = getattr(self._shared, "conn", None)
        if shared is not None:
            yield shared
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
