"""Migrations from empty, idempotence, and refusing a schema newer than the app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, text

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.migrate import HEAD, SchemaTooNew, current_revision, head_revision, upgrade
from frontdesk.db.models import Base
from frontdesk.services import Services
from tests.helpers import in_a_fresh_python


@pytest.fixture
def empty_db(empty_url: str) -> Iterator[Database]:
    """A database with no tables at all."""
    db = Database(empty_url)
    yield db
    db.dispose()


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _schema(db: Database) -> dict[str, list[str]]:
    insp = inspect(db.engine)
    return {
        t: sorted(c["name"] for c in insp.get_columns(t))
        + sorted(str(i["name"]) for i in insp.get_indexes(t))
        for t in insp.get_table_names()
    }


def test_upgrade_from_empty_creates_every_table(empty_db: Database) -> None:
    assert _tables(empty_db) == set()
    assert current_revision(empty_db) is None
    assert upgrade(empty_db) is True
    assert _tables(empty_db) == set(Base.metadata.tables) | {"alembic_version"}
    assert current_revision(empty_db) == head_revision()
    # Every model column exists in the migrated table (the migrations match the models).
    insp = inspect(empty_db.engine)
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in insp.get_columns(name)}
        assert columns == {c.name for c in table.columns}, name


def test_upgrade_twice_changes_nothing(empty_db: Database) -> None:
    upgrade(empty_db)
    before = _schema(empty_db)
    assert upgrade(empty_db) is False
    assert _schema(empty_db) == before
    assert current_revision(empty_db) == head_revision()


def test_a_newer_schema_is_refused(empty_db: Database) -> None:
    upgrade(empty_db)
    with empty_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNew) as err:
        upgrade(empty_db)
    message = str(err.value)
    assert "newer frontdesk" in message
    assert "9999" in message
    assert "update frontdesk" in message
    # Services.open refuses too, and the tables are untouched.
    with pytest.raises(SchemaTooNew):
        Services.open(Settings(db_url=empty_db.url))
    assert current_revision(empty_db) == "9999"


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "desk.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    assert path.stat().st_mode & 0o777 == 0o600


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    db.dispose()


def test_0012_copies_each_visitors_updated_at_into_its_name_tokens(empty_db: Database) -> None:
    from alembic import command

    from frontdesk.db.migrate import alembic_config
    from frontdesk.db.models import Visitor, VisitorNameToken

    command.upgrade(alembic_config(empty_db), "0011")
    changed = [datetime(2025, 3, 1, 9, 30, tzinfo=UTC), datetime(2026, 1, 2, 8, 0, tzinfo=UTC)]
    with empty_db.engine.begin() as conn:
        for i, at in enumerate(changed, start=1):
            conn.execute(
                insert(Visitor.__table__),
                {
                    "id": i,
                    "given_names": "Ann",
                    "family_name": f"Test{i}",
                    "search_key": "ann",
                    "family_key": f"test{i}",
                    "created_at": changed[0],
                    "updated_at": at,
                },
            )
            conn.execute(
                text("INSERT INTO visitor_name_tokens (token, visitor_id) VALUES (:t, :v)"),
                [{"t": "ann", "v": i}, {"t": f"test{i}", "v": i}],
            )
    assert upgrade(empty_db) is True
    with empty_db.engine.connect() as conn:
        rows = conn.execute(
            select(VisitorNameToken.visitor_id, VisitorNameToken.visitor_updated_at)
        ).all()
    assert sorted(rows) == [(1, changed[0]), (1, changed[0]), (2, changed[1]), (2, changed[1])]
    assert current_revision(empty_db) == HEAD
    if empty_db.dialect == "postgresql":
        # Vacuumed after the upgrade committed, not inside it: no dead token rows are left.
        with empty_db.engine.connect() as conn:
            vacuumed, dead = conn.execute(
                text(
                    "SELECT last_vacuum IS NOT NULL, n_dead_tup FROM pg_stat_user_tables "
                    "WHERE relname = 'visitor_name_tokens'"
                )
            ).one()
        assert vacuumed and dead == 0


def test_the_head_constant_matches_the_migration_scripts() -> None:
    # upgrade() skips importing alembic when the database is at HEAD: after adding a
    # migration, set HEAD in frontdesk/db/migrate.py to its id.
    assert head_revision() == HEAD


def test_an_up_to_date_start_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'head.sqlite3'}"
    upgrade(Database(url))
    code = (
        "import sys\n"
        "from frontdesk.db import Database\n"
        "from frontdesk.db.migrate import upgrade\n"
        f"assert upgrade(Database({url!r})) is False\n"
        "assert 'alembic' not in sys.modules, 'alembic was imported'\n"
    )
    in_a_fresh_python(code)
