"""Alembic migrations, shipped in the package and applied on start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from frontdesk.db.engine import Database, DatabaseError, DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaTooNew(DatabaseError):
    """The database was written by a newer frontdesk than this one."""


def _config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db._writer
    return config


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def upgrade(db: Database) -> bool:
    """Bring the schema up to this version. Returns True when anything was applied."""
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
    try:
        command.upgrade(_config(db), "head")
    except OperationalError as exc:
        raise DatabaseUnavailable(_describe(db, exc)) from None
    return True


def _describe(db: Database, exc: SQLAlchemyError) -> str:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    return f"cannot open the database {db.safe_url}: {detail}"
