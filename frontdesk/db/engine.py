"""Engine factory and unit-of-work sessions for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from frontdesk.db.prepared import Prepared

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
            # One SELECT is its own read transaction in SQLite (it sees one snapshot from
            # its first step to its last): BEGIN and COMMIT around it add nothing.
            if not options.get("frontdesk_one_statement", False):
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
    """One database: an engine and the two kinds of unit of work (read and write)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._writer = self.engine.execution_options(frontdesk_write=True)
        self._one_statement = self.engine.execution_options(frontdesk_one_statement=True)
        # write_core's kept connection: SQLite files only (an in-memory database is one
        # per thread; see write_core).
        self._hot: Connection | None = None
        # read_rows' statements, compiled for SQLite once each (by id; kept alive here).
        self._prepared: dict[int, tuple[Any, Prepared]] = {}
        self._hot_lock: threading.Lock | None = None
        # reading()'s connection, per thread: the reads inside share its transaction.
        self._shared = threading.local()
        if self.dialect == "sqlite" and isinstance(self.engine.pool, QueuePool):
            self._hot_lock = threading.Lock()

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
    def write_core(self) -> Iterator[Connection]:
        """write() on a plain connection, for the busiest writes (call next, finish): the
        same transaction (BEGIN IMMEDIATE on SQLite), without an ORM session around it,
        whose set-up and commit cost more than the statements themselves.

        On a SQLite file the connection is kept for the next such write (one thread at a
        time; another gets one from the pool): taking a connection from the pool and
        handing it back cost as much as the transaction's two statements. PostgreSQL's
        connections come from the pool each time, which checks that they still work.

        On PostgreSQL the statements get generic plans: these few statements run again and
        again (psycopg prepares a statement from its fifth run on a connection), yet
        PostgreSQL planned each run again for today's values, and it has no statistics for
        today's rows yet (they are not analysed until much later): 1-2 ms of planning per
        call next, and plans that sorted every waiting ticket. The generic plan walks the
        call-order index and is made once per connection.
        """
        if self._hot_lock is not None and self._hot_lock.acquire(blocking=False):
            try:
                if self._hot is None:
                    self._hot = self._writer.connect()
                with self._hot.begin():
                    yield self._hot
            finally:
                self._hot_lock.release()
            return
        with self._writer.connect() as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            yield conn

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads as one: every read(), read_core() and read_rows() in this block, on
        this thread, runs on one connection in one read transaction, so they see one
        snapshot and pay for one check-out, BEGIN and COMMIT instead of one each.

        For a screen's refresh that asks several services (the desk after F4: the queue's
        changes, the visitor card, the waiting strip, the stock). On PostgreSQL each read
        of its own cost a pool check-out with its ping, a BEGIN and a COMMIT: round trips
        that took longer than the statements. Writes inside the block are not part of it
        (they take their own connection, as always). Nested blocks join the outer one.
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

    def read_rows(
        self, statement: Any, params: Mapping[str, Any], into: Callable[..., Any] | None = None
    ) -> list[Any]:
        """ONE Core SELECT built once (its builder cached), for the hottest reads: finding a
        visitor or a ticket. Its rows, each passed to ``into`` if given.

        On SQLite it is compiled once (see Prepared) and run on a pooled connection's
        sqlite3 connection itself: SQLAlchemy's connection, transaction and result objects
        cost ~85 us of a 200 us visitor search, more than the query. As in read_core()
        there is no BEGIN/COMMIT (one SELECT reads one snapshot), the busy timeout is put
        back if a write left it at 0, and errors still come out as SQLAlchemy's (values
        hidden), so database_unreachable() sees them. Elsewhere: read_core()."""
        if self.dialect != "sqlite" or getattr(self._shared, "conn", None) is not None:
            with self.read_core() as conn:
                result = conn.execute(statement, params)
                return [into(*row) for row in result] if into else list(result)
        kept = self._prepared.get(id(statement))
        if kept is None:  # the statement is kept too, so its id is never reused
            kept = self._prepared[id(statement)] = (
                statement,
                Prepared(statement, self.engine.dialect),
            )
        pooled = self.engine.raw_connection()
        try:
            driver = cast(sqlite3.Connection, pooled.driver_connection)
            _set_busy_timeout(driver, pooled.info, SQLITE_BUSY_TIMEOUT_MS)
            return kept[1].rows(driver, params, into)
        finally:
            pooled.close()

    @contextmanager
    def read_core(self) -> Iterator[Connection]:
        """A read of ONE Core statement on a plain connection, for hot paths (finding a
        visitor or a ticket): no ORM session, and on SQLite no BEGIN/COMMIT round trips,
        as a single statement reads one snapshot anyway. Use read() for several.
        Inside reading(), its connection and transaction."""
        shared: Connection | None = getattr(self._shared, "conn", None)
        if shared is not None:
            yield shared
            return
        with self._one_statement.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        if self._hot_lock is not None:
            with self._hot_lock:
                if self._hot is not None:
                    self._hot.close()
                    self._hot = None
        self.engine.dispose()
