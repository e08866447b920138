"""Alembic migrations, shipped in the package and applied on start.

Alembic is imported only when the schema is not already at :data:`HEAD` (a new or an
older database): importing it costs a fifth of a second or more at every start, and on
an up-to-date database one SELECT of ``alembic_version`` says all there is to know.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from frontdesk.db.engine import Database, DatabaseError, DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's id; tests/test_migrations.py checks it against the scripts.
HEAD = "0018"
# Tables a migration rewrote row by row: on PostgreSQL they are vacuumed once the upgrade
# has committed (VACUUM cannot run in a transaction; run inside a migration it would commit
# the schema change before the version number, and a failure between the two would leave
# a database that no start can upgrade).
VACUUM_AFTER = {"0012": ("visitor_name_tokens",)}
# The PostgreSQL advisory lock that start-ups take ("frontdsk" as a 64-bit number).
STARTUP_LOCK_KEY = int.from_bytes(b"frontdsk", "big")
# The file beside a SQLite database that start-ups lock (the database's name + this).
STARTUP_LOCK_SUFFIX = ".startup-lock"


class SchemaTooNew(DatabaseError):
    """The database was written by a newer frontdesk than this one."""


def alembic_config(db: Database) -> Config:
    """Alembic's configuration for running its commands on ``db`` (the upgrade on start,
    tools/new_migration.py, tests that move a database to a given revision)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db._writer
    return config


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def _at_head(db: Database) -> bool:
    """True when the database is known to be at HEAD (one cheap query, no alembic)."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False  # no alembic_version table yet, or the database is not there: go slow
    return [r[0] for r in rows] == [HEAD]


_held = threading.local()


@contextmanager
def startup_lock(db: Database) -> Iterator[None]:
    """One start-up at a time on this database: migrations and first-run set-up.

    Eight desks starting together on a new database, or on one that needs an upgrade,
    used to race: "table partners already exists" on SQLite, duplicate services, a
    deadlock in the upgrade on PostgreSQL. Under this lock the first start does the work
    and the others wait, then find it done.

    PostgreSQL: ``pg_advisory_lock`` on a fixed key, on a connection of its own (the
    migrations and the set-up use their own connections), unlocked after; if that
    process dies, PostgreSQL releases the lock with its connection. SQLite: an exclusive
    ``flock`` on a file beside the database (``<file>.startup-lock``). Not BEGIN
    EXCLUSIVE on the database itself: the migrations and the set-up write through other
    connections, which that would lock out, and waiting starts would give up after the
    busy timeout (15 s) while a large upgrade runs longer. The operating system releases
    the file lock when the process ends, however it ends.

    Re-entrant on one thread, so ``upgrade`` inside ``Services.open`` takes it once.
    """
    depth: dict[int, int] = getattr(_held, "depth", None) or {}
    _held.depth = depth
    if depth.get(id(db)):
        depth[id(db)] += 1
        try:
            yield
        finally:
            depth[id(db)] -= 1
        return
    with _acquire(db):
        depth[id(db)] = 1
        try:
            yield
        finally:
            del depth[id(db)]


@contextmanager
def _acquire(db: Database) -> Iterator[None]:
    if db.dialect == "postgresql":
        with _advisory_lock(db):
            yield
    elif db.dialect == "sqlite":
        with _file_lock(db):
            yield
    else:  # pragma: no cover - make_engine accepts only these two
        yield


@contextmanager
def _advisory_lock(db: Database) -> Iterator[None]:
    try:
        conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(_describe(db, exc)) from None
    try:
        yield
    finally:
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
        except SQLAlchemyError:
            conn.invalidate()  # the server ends the session, and the lock with it
        conn.close()


@contextmanager
def _file_lock(db: Database) -> Iterator[None]:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield  # one connection's own database, or a URI we do not resolve: nobody to wait for
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: SQLite's own locks only
        yield
        return
    path = f"{Path(database).expanduser()}{STARTUP_LOCK_SUFFIX}"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot create {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits while another start holds it
        yield
    finally:
        os.close(fd)  # releases the lock


def upgrade(db: Database) -> bool:
    """Bring the schema up to this version. Returns True when anything was applied.

    Under :func:`startup_lock`: of several starts at once, one upgrades and the others
    wait, then find the schema at HEAD."""
    if _at_head(db):
        return False
    with startup_lock(db):
        return _upgrade(db)


def _upgrade(db: Database) -> bool:
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    try:
        current = current_revision(db)
    except OperationalError as exc:
        raise DatabaseUnavailable(_describe(db, exc)) from None
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(_describe(db, exc)) from None
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:
            raise SchemaTooNew(
                "this database was made by a newer frontdesk "
                f"(schema {current}); update frontdesk before opening it"
            ) from None
    if current == script.get_current_head():
        return False
    if current is None:
        _refuse_foreign(db)
    try:
        command.upgrade(alembic_config(db), "head")
    except OperationalError as exc:
        raise DatabaseUnavailable(_describe(db, exc)) from None
    if current is not None and db.dialect == "postgresql":
        _vacuum(db, sorted({t for r, ts in VACUUM_AFTER.items() if r > current for t in ts}))
    return True


class NotFrontdesk(DatabaseError):
    """The database holds tables but no frontdesk schema: someone else's database."""


def _refuse_foreign(db: Database) -> None:
    """Never create frontdesk's tables inside another application's database."""
    from sqlalchemy import inspect

    try:
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(_describe(db, exc)) from None
    if tables - {"alembic_version"}:
        raise NotFrontdesk(
            f"{db.safe_url} is not a frontdesk database (it holds other tables and no "
            "frontdesk schema); check --db"
        )


def _vacuum(db: Database, tables: list[str]) -> None:
    """VACUUM ANALYZE the tables an upgrade rewrote (PostgreSQL, outside a transaction)."""
    if not tables:
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


def _describe(db: Database, exc: SQLAlchemyError) -> str:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    return f"cannot open the database {db.safe_url}: {detail}"
