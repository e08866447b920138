"""Eight desks starting at the same moment (separate processes), on SQLite and PostgreSQL.

On a new database and on one that needs an upgrade (made at 0010, with data): every start
succeeds, the schema is migrated once, and the first-run rows (the services, the first team
lead, the automatic close of a day left open) exist once.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier

import pytest
from sqlalchemy import func, select, text

from frontdesk.clock import FixedClock
from frontdesk.config import DEFAULT_SERVICES, Settings
from frontdesk.db import Database
from frontdesk.db.migrate import HEAD, alembic_config
from frontdesk.db.models import AuditEvent, Service, Staff, Ticket, Visitor
from frontdesk.services import Services, ValidationError
from frontdesk.services.visitors import VisitorInput
from tests.conftest import MONDAY_10, TEST_PIN, add_staff, letters, make_services

STARTS = 8

pytestmark = pytest.mark.slow


def _start(url: str, desk: int, go: Barrier, upgrades: Synchronized[int], lead: bool) -> None:
    """One desk's start; counts the alembic upgrades it ran."""
    from alembic import command

    real = command.upgrade

    def counted(*args: object, **kwargs: object) -> None:
        with upgrades.get_lock():
            upgrades.value += 1
        real(*args, **kwargs)  # type: ignore[arg-type]

    command.upgrade = counted  # type: ignore[assignment]
    clock = FixedClock(MONDAY_10 + timedelta(days=1))
    go.wait(timeout=60)
    services = Services.open(Settings(db_url=url, desk=desk), clock)
    try:
        if lead:
            try:
                services.staff.create_first_lead(f"Lead {letters(desk)}", TEST_PIN, TEST_PIN)
            except ValidationError as error:
                assert "already has staff" in error.message
    finally:
        services.close()


def _start_together(url: str, *, lead: bool) -> int:
    ctx = mp.get_context("spawn")
    go = ctx.Barrier(STARTS)
    upgrades = ctx.Value("i", 0)
    procs = [
        ctx.Process(target=_start, args=(url, d + 1, go, upgrades, lead)) for d in range(STARTS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    assert not failed, f"{len(failed)} of {STARTS} starts failed: {failed}"
    return int(upgrades.value)


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _revisions(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]


def test_eight_starts_on_a_new_database(empty_url: str) -> None:
    upgrades = _start_together(empty_url, lead=True)
    assert upgrades == 1
    db = Database(empty_url)
    try:
        assert _revisions(db) == [HEAD]
        with db.read() as session:
            codes = sorted(session.scalars(select(Service.code)))
            leads = session.scalars(select(Staff.role)).all()
            firsts = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "staff.first_lead")
            )
        assert codes == sorted(s.code for s in DEFAULT_SERVICES)
        assert leads == ["lead"]
        assert firsts == 1
    finally:
        db.dispose()


def _downgrade_to_0010(db: Database) -> None:
    from alembic import command

    command.downgrade(alembic_config(db), "0010")


def test_eight_starts_across_an_upgrade(db_url: str) -> None:
    # Yesterday's data at HEAD: staff, visitors, tickets left open; then back to 0010.
    services = make_services(db_url, FixedClock(MONDAY_10))
    try:
        clerk = add_staff(services, "Dirk Desk", "desk")
        for i in range(30):
            services.queue.register_walk_in(
                clerk, VisitorInput(given_names=f"Visitor {letters(i)}", family_name="Testing")
            )
        before = {m.__name__: _count(services.db, m) for m in (Staff, Visitor, Ticket, Service)}
        _downgrade_to_0010(services.db)
        assert _revisions(services.db) == ["0010"]
    finally:
        services.close()

    upgrades = _start_together(db_url, lead=False)

    assert upgrades == 1
    db = Database(db_url)
    try:
        assert _revisions(db) == [HEAD]
        after = {m.__name__: _count(db, m) for m in (Staff, Visitor, Ticket, Service)}
        assert after == before
        with db.read() as session:
            closes = session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "day.close")
            )
            still_open = session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.status == "waiting")
            )
        assert closes == 1, "yesterday was closed more than once"
        assert still_open == 0
    finally:
        db.dispose()
