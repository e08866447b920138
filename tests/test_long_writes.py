"""Long writes in short transactions: a 10,000-row appointment import and a purge.

A desk registering a walk-in while the import runs waits at most a chunk (about 200 ms of
work), never "database is locked"; each chunk and each purge batch carries its own audit
entry, committed with its rows. The data is generated here and fictitious.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import Appointment, AppointmentPerson, AuditEvent, Visitor
from frontdesk.services import Actor, Services
from frontdesk.services.appointments.importer import import_appointments
from frontdesk.services.visitors import VisitorInput
from tests.conftest import MONDAY_10, add_staff, letters, make_services
from tests.helpers import FAMILY, GIVEN, audit_count, booking_csv, purged_in_audit


def table_count(services: Services, table: Any) -> int:
    with services.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


# -- the import in chunks -------------------------------------------------------------------


def test_each_chunk_is_audited_with_counts_and_no_names(
    services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("frontdesk.services.appointments.importer.CHUNK_HOUSEHOLDS", 4)
    data = booking_csv(20)
    report = import_appointments(services.appointments, clerk, data)
    households = table_count(services, Appointment)
    assert report.imported == households and households > 8
    with services.db.read() as session:
        events = session.execute(
            select(AuditEvent.actor_id, AuditEvent.reason)
            .where(AuditEvent.action == "appointments.import")
            .order_by(AuditEvent.id)
        ).all()
    assert len(events) >= -(-households // 4)  # at most 4 households a chunk
    assert all(actor_id == clerk.staff_id for actor_id, _ in events)
    reasons = [reason or "" for _, reason in events]
    assert reasons[0].startswith("part 1: ")
    added = sum(int(reason.split(" added")[0].split()[-1]) for reason in reasons)
    assert added == households
    text = " ".join(reasons)
    for name in GIVEN + FAMILY:
        assert name not in text, "a name in the audit log"

    again = import_appointments(services.appointments, clerk, data)
    assert (again.imported, again.unchanged, again.updated) == (0, households, 0)
    assert table_count(services, Appointment) == households


def test_a_dry_run_takes_no_write_lock_and_counts_like_the_real_run(
    services: Services, clerk: Actor
) -> None:
    data = booking_csv(30)
    import_appointments(services.appointments, clerk, data)
    audited = audit_count(services, "appointments.import")
    changed = data.replace(b"LOAD-000000,2026-11-25,09:00,", b"LOAD-000000,2026-11-25,09:30,")
    changed = changed.replace(b"LOAD-000003,", b"NEW-000003,")
    writes: list[int] = []
    real_write = services.db.write

    def counting_write() -> Any:
        writes.append(1)
        return real_write()

    services.db.write = counting_write  # type: ignore[method-assign]
    try:
        dry = import_appointments(services.appointments, clerk, changed, dry_run=True)
    finally:
        services.db.write = real_write  # type: ignore[method-assign]
    assert writes == [], "a dry run opened a write transaction"
    assert audit_count(services, "appointments.import") == audited, "a dry run was audited"
    real = import_appointments(services.appointments, clerk, changed)
    assert (dry.imported, dry.updated, dry.unchanged, dry.rejected) == (
        real.imported,
        real.updated,
        real.unchanged,
        real.rejected,
    )
    assert (real.imported, real.updated) == (1, 1)


def test_the_opening_hours_are_read_once_per_import(
    services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = services.rules.hours

    def counting() -> Any:
        reads.append(1)
        return real()

    monkeypatch.setattr(services.rules, "hours", counting)
    import_appointments(services.appointments, clerk, booking_csv(40))
    assert len(reads) == 1


# -- a registration while 10,000 rows are imported ----------------------------------------


def _register_during_import(
    url: str, staff_id: int, connected: Any, ready: Any, stop: Any, out: Any
) -> None:
    """Runs in a second process: registers a walk-in every 0.3 s while the import runs."""
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Second Desk", "desk", 2, "test")
    services.queue.today(actor)  # connect and warm up before the clock starts
    connected.set()
    ready.wait(60)
    waits: list[float] = []
    while not stop.is_set():
        start = time.perf_counter()
        try:
            services.queue.register_walk_in(
                actor,
                VisitorInput(given_names=f"During {letters(len(waits))}", family_name="Import"),
            )
        except Exception as exc:  # reported to the test, which fails on it
            out.put(("error", f"{type(exc).__name__} after {time.perf_counter() - start:.1f} s"))
            return
        waits.append(time.perf_counter() - start)
        time.sleep(0.3)
    out.put(("ok", waits))
    services.close()


@pytest.mark.slow
def test_a_registration_during_a_10000_row_import_succeeds(db_url: str) -> None:
    services = make_services(db_url, FixedClock(MONDAY_10))
    clerk = add_staff(services, "Import Desk", "desk")
    other = add_staff(services, "Second Desk", "desk").staff_id
    data = booking_csv(10_000)
    ctx = multiprocessing.get_context("spawn")
    connected, ready, stop, out = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Queue()
    args = (db_url, other, connected, ready, stop, out)
    proc = ctx.Process(target=_register_during_import, args=args)
    proc.start()
    try:
        assert connected.wait(120), "the second desk did not start"
        ready.set()
        start = time.perf_counter()
        report = import_appointments(services.appointments, clerk, data)
        took = time.perf_counter() - start
        stop.set()
        status, detail = out.get(timeout=60)
    finally:
        proc.join(30)
        if proc.is_alive():
            proc.kill()
    dialect = services.db.dialect
    waits = sorted(detail) if status == "ok" else []
    print(
        f"\n[{dialect}] import of 10,000 rows ({report.imported} households): {took:.1f} s; "
        + (
            f"{len(waits)} registrations during it: median {waits[len(waits) // 2]:.3f} s, "
            f"longest {waits[-1]:.3f} s"
            if waits
            else f"the registration failed: {detail}"
        )
    )
    assert status == "ok", detail
    assert waits, "no registration ran during the import"
    assert report.rejected == 0 and report.imported > 5000
    with services.db.read() as session:
        persons = session.scalar(select(func.count()).select_from(AppointmentPerson))
        during = session.scalar(
            select(func.count()).select_from(Visitor).where(Visitor.family_name == "Import")
        )
    assert persons == 10_000 and during == len(waits)
    services.close()


# -- the purge in batches -------------------------------------------------------------------


def test_each_purge_batch_is_audited_with_its_own_counts(
    services: Services, lead: Actor, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("frontdesk.services.privacy.PURGE_BATCH", 3)
    services.clock.advance(days=-400)  # type: ignore[attr-defined]
    for i in range(7):
        services.visitors.register(clerk, VisitorInput(given_names=f"Old {letters(i)}"))
    services.clock.advance(days=400)  # type: ignore[attr-defined]
    assert services.privacy.purge(lead).visitors == 7
    with services.db.read() as session:  # every batch anonymised its visitors
        assert not session.scalar(
            select(func.count()).select_from(Visitor).where(Visitor.anonymised_at.is_(None))
        )
    assert audit_count(services, "privacy.purge") == 3  # 3 + 3 + 1
    assert purged_in_audit(services) == 7
    assert services.privacy.purge(lead).visitors == 0
    assert audit_count(services, "privacy.purge") == 4  # a run that found nothing
    assert purged_in_audit(services) == 7
