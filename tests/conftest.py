"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL runs when FRONTDESK_TEST_POSTGRES_URL names a database the tests may use as
a base (``.ci/run`` sets it); each test gets its own database cloned from a migrated
template, so tests never see each other's rows. Without the variable those tests skip
and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from frontdesk.clock import FixedClock
from frontdesk.config import DEFAULT_HOURS, Hours, Settings
from frontdesk.db import Database
from frontdesk.db.migrate import upgrade
from frontdesk.db.models import Staff
from frontdesk.services import Actor, Services
from frontdesk.services.security import hash_pin
from frontdesk.services.text import fold

PG_ENV = "FRONTDESK_TEST_POSTGRES_URL"
PG_URL = os.environ.get(PG_ENV, "")
# Monday 23 November 2026, 10:00 in Leiden: BSN hours are open. The default walk-in hours
# (Monday 15:00-17:00) are not, and a desk asks before a walk-in ticket out of hours: the
# tests' services keep the walk-in hours open all day, every day (TEST_HOURS), unless a
# test passes its own ``hours`` or is marked ``real_hours`` (the configured defaults).
MONDAY_10 = datetime(2026, 11, 23, 10, 0)
TEST_HOURS: tuple[Hours, ...] = (
    *(h for h in DEFAULT_HOURS if h.kind != "walk_in"),
    *(Hours(day, time(0, 0), time(23, 59), "walk_in") for day in range(7)),
)
TEST_PIN = "1234"


def _pg_admin_url() -> URL:
    url = make_url(PG_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


class _PgDatabases:
    """Makes one migrated template per test session, then a clone per test."""

    def __init__(self) -> None:
        self.base = _pg_admin_url()
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.template = f"{self.base.database}_tpl_{worker}_{uuid.uuid4().hex[:6]}"
        self._exec(f'CREATE DATABASE "{self.template}"')
        db = Database(self.base.set(database=self.template).render_as_string(hide_password=False))
        upgrade(db)
        db.dispose()

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def clone(self) -> str:
        name = f"{self.base.database}_{uuid.uuid4().hex[:10]}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def empty(self) -> str:
        """A new database with no schema at all."""
        name = f"{self.base.database}_empty_{uuid.uuid4().hex[:10]}"
        self._exec(f'CREATE DATABASE "{name}"')
        return name

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real config file, data folder or FRONTDESK_* variable leaks into the test."""
    for name in ("FRONTDESK_DB", "FRONTDESK_DESK", "FRONTDESK_STAFF", "FRONTDESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[_PgDatabases]:
    if not PG_URL:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped (.ci/run sets it)")
    databases = _PgDatabases()
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet: a SQLite file not made yet (nor its folder), or a new
    PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new' / 'frontdesk.sqlite3'}"
        return
    databases: _PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.empty()
    yield databases.url(name)
    databases.drop(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL clone."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'frontdesk.sqlite3'}"
        db = Database(url)
        upgrade(db)
        db.dispose()
        yield url
        return
    databases: _PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.clone()
    yield databases.url(name)
    databases.drop(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file, for tests that only need one backend (UI tests)."""
    url = f"sqlite:///{tmp_path / 'frontdesk.sqlite3'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_10)


def make_services(url: str, clock: FixedClock, **settings: object) -> Services:
    """Started services on ``url``; walk-in hours open all day unless ``hours`` is given."""
    settings.setdefault("hours", TEST_HOURS)
    services = Services(Database(url), Settings(db_url=url, **settings), clock)  # type: ignore[arg-type]
    services.start()
    return services


def hours_for(request: pytest.FixtureRequest) -> tuple[Hours, ...]:
    """The configured default hours for a test marked ``real_hours``, else TEST_HOURS."""
    return DEFAULT_HOURS if request.node.get_closest_marker("real_hours") else TEST_HOURS


@pytest.fixture
def services(db_url: str, clock: FixedClock, request: pytest.FixtureRequest) -> Iterator[Services]:
    s = make_services(db_url, clock, hours=hours_for(request))
    yield s
    s.close()


_PIN_HASH: dict[str, str] = {}


def add_staff(
    services: Services, name: str, role: str, pin: str = TEST_PIN, desk: int | None = 1
) -> Actor:
    """A staff member straight into the database (hashing a PIN once per test session)."""
    if pin not in _PIN_HASH:
        _PIN_HASH[pin] = hash_pin(pin)
    with services.db.write() as session:
        row = Staff(
            name=name,
            name_key=fold(name),
            role=role,
            pin_hash=_PIN_HASH[pin],
            active=True,
            failed_attempts=0,
            created_at=services.clock.now(),
        )
        session.add(row)
        session.flush()
        return Actor(row.id, row.name, row.role, desk, "test")


@pytest.fixture
def lead(services: Services) -> Actor:
    return add_staff(services, "Lea Lead", "lead")


@pytest.fixture
def clerk(services: Services) -> Actor:
    return add_staff(services, "Dirk Desk", "desk")


@pytest.fixture
def intern(services: Services) -> Actor:
    return add_staff(services, "Iris Intern", "intern")


def letters(n: int) -> str:
    """A number as letters (0 -> "A", 25 -> "Z", 26 -> "Ba"), to tell test visitors apart:
    names refuse digits. (bench.generate.letter_tag does the same; the sdist has no bench.)"""
    tag = ""
    while True:
        n, r = divmod(n, 26)
        tag = chr(ord("a") + r) + tag
        if n == 0:
            return tag.capitalize()


@pytest.fixture
def desk_services(
    sqlite_url: str, clock: FixedClock, request: pytest.FixtureRequest
) -> Iterator[Services]:
    """Services on a SQLite file, for Pilot tests of the screens."""
    services = make_services(sqlite_url, clock, hours=hours_for(request))
    yield services
    services.close()


@pytest.fixture
def smtp_sink() -> Iterator[Any]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), started; see helpers.SmtpSink."""
    from tests.helpers import SmtpSink

    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace Server.serve so no real server starts; record the servers built."""
    from textual_serve.server import Server

    started: list[Any] = []
    monkeypatch.setattr(Server, "serve", lambda self, debug=False: started.append(self))
    monkeypatch.setenv("FRONTDESK_DB", "")  # remembered, so the test's change is undone
    monkeypatch.delenv("FRONTDESK_DB")
    return started
