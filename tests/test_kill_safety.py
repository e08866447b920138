"""Every long writer, killed (SIGKILL) at random moments, loses nothing it committed.

Each writer runs in a child process that the test kills a few times at a random moment
(the seed is printed), then runs again until it finishes. After every kill: SQLite's
``PRAGMA integrity_check`` says ok, nothing reported as committed is missing, there is no
half state (an appointment without its household, a ticket without its 'issued' event),
and the audit log agrees with the data; the last run completes the job without doubling
it. Writers: registration, appointment import, purge, close day, migration (SQLite and
PostgreSQL); backup and restore (SQLite only: PostgreSQL is pg_dump's job).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text

from frontdesk.clock import FixedClock
from frontdesk.db import Database
from frontdesk.db.backup import backup, restore, verify
from frontdesk.db.migrate import HEAD, current_revision, upgrade
from frontdesk.db.models import (
    Appointment,
    AppointmentPerson,
    AuditEvent,
    Ticket,
    TicketEvent,
    Visitor,
    VisitorNameToken,
)
from frontdesk.services import Actor, Services
from frontdesk.services.appointments.importer import import_appointments
from frontdesk.services.privacy import ANONYMOUS
from frontdesk.services.visitors import VisitorInput
from tests.conftest import MONDAY_10, add_staff, letters, make_services
from tests.helpers import audit_count, booking_csv, purged_in_audit

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]
SEED = int(os.environ.get("FRONTDESK_KILL_SEED", time.time_ns() % 100_000))


@pytest.fixture
def rng() -> random.Random:
    print(f"kill moments: FRONTDESK_KILL_SEED={SEED}")
    return random.Random(SEED)


# -- the harness ------------------------------------------------------------------------------


class Child:
    """A child process running ``tests.test_kill_safety.<function>(*args)``; its stdout
    lines are collected as they come (each is printed after a commit)."""

    def __init__(self, function: str, *args: object) -> None:
        code = f"from tests.test_kill_safety import {function}; {function}(*{args!r})"
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.startswith("ready"):
                self._ready.set()
        self._ready.set()

    def kill_after(self, seconds: float) -> bool:
        """SIGKILL ``seconds`` after the child said "ready"; True when it was still working."""
        try:
            assert self._ready.wait(60), "the child did not start"
            time.sleep(seconds)
            killed = self.proc.poll() is None
            if killed:
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=60)
            self._reader.join(30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        if not killed:
            assert self.proc.returncode == 0, f"the child failed: {self.lines[-3:]}"
        return killed

    def kill_after_audit(self, services: Services, action: str, entries: int, then: float) -> bool:
        """SIGKILL ``then`` seconds after the audit log holds ``entries`` of ``action``
        (a long writer audits each chunk as it commits it): a moment inside the work."""
        deadline = time.monotonic() + 120
        while audit_count(services, action) < entries and self.proc.poll() is None:
            assert time.monotonic() < deadline, "the child is too slow"
            time.sleep(0.01)
        return self.kill_after(then)

    def wait_for(self, count: int) -> None:
        """SIGKILL once ``count`` lines came (at a random moment of the work)."""
        deadline = time.monotonic() + 120
        while len(self.lines) < count and self.proc.poll() is None:
            assert time.monotonic() < deadline, "the child is too slow"
            time.sleep(0.001)
        self.kill_after(0)


def integrity_ok(url: str) -> None:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


def count(services: Services, stmt: Any) -> int:
    with services.db.read() as session:
        return int(session.scalar(stmt) or 0)


def services_for(url: str) -> Services:
    return make_services(url, FixedClock(MONDAY_10))


def actor_of(staff_id: int, role: str = "desk") -> Actor:
    return Actor(staff_id, "Kill Test", role, 1, "test")


# -- registration -----------------------------------------------------------------------------


def register_child(url: str, staff_id: int) -> None:
    services = services_for(url)
    actor = actor_of(staff_id)
    print("ready", flush=True)
    for i in range(100_000):
        _visitor, ticket = services.queue.register_walk_in(
            actor,
            VisitorInput(given_names=f"Crash {letters(i)}", family_name="Test", phone="0612345678"),
        )
        print(f"issued {ticket.id}", flush=True)
        if i % 2:
            called = services.queue.call_next(actor, 1)
            if called is not None:
                services.queue.finish(actor, called.id, outcome="served")
                print(f"finished {called.id}", flush=True)


def test_registration_killed_loses_nothing_committed(db_url: str, rng: random.Random) -> None:
    """A registration is one transaction: no visitor without the ticket of their visit,
    no ticket without its 'issued' event, no finished visit that went back."""
    services = services_for(db_url)
    staff_id = add_staff(services, "Crash Desk", "desk").staff_id
    reported: list[str] = []
    for _ in range(2):
        child = Child("register_child", db_url, staff_id)
        child.wait_for(rng.randrange(20, 120))
        reported += child.lines
        integrity_ok(db_url)
        issued = {int(line.split()[1]) for line in reported if line.startswith("issued")}
        finished = {int(line.split()[1]) for line in reported if line.startswith("finished")}
        with services.db.read() as session:
            statuses = {i: s for i, s in session.execute(select(Ticket.id, Ticket.status))}
            orphans = session.scalar(
                select(func.count())
                .select_from(Visitor)
                .where(~select(Ticket.id).where(Ticket.visitor_id == Visitor.id).exists())
            )
            no_event = session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(
                    ~select(TicketEvent.id)
                    .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.action == "issued")
                    .exists()
                )
            )
        assert issued <= set(statuses), "a ticket reported as committed is missing"
        assert all(statuses[t] == "done" for t in finished), "a finished ticket went back"
        assert orphans == 0, "a visitor was saved without the ticket of the registration"
        assert no_event == 0, "a ticket without its 'issued' event"
    services.close()


# -- appointment import -----------------------------------------------------------------------


def import_child(url: str, staff_id: int, path: str) -> None:
    services = services_for(url)
    data = Path(path).read_bytes()
    print("ready", flush=True)
    report = import_appointments(services.appointments, actor_of(staff_id), data)
    print("done", report.summary, flush=True)


def _import_consistent(services: Services) -> int:
    """No half household, and the audit's 'added' counts match the appointments."""
    with services.db.read() as session:
        appointments = session.scalar(select(func.count()).select_from(Appointment)) or 0
        empty = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                ~select(AppointmentPerson.id)
                .where(AppointmentPerson.appointment_id == Appointment.id)
                .exists()
            )
        )
        lonely = session.scalar(
            select(func.count())
            .select_from(Visitor)
            .where(
                ~select(AppointmentPerson.id)
                .where(AppointmentPerson.visitor_id == Visitor.id)
                .exists()
            )
        )
        reasons = session.scalars(
            select(AuditEvent.reason).where(AuditEvent.action == "appointments.import")
        ).all()
    added = sum(int((r or "").split(" added")[0].split()[-1]) for r in reasons)
    assert empty == 0, "an appointment without its household"
    assert lonely == 0, "a visitor of the import without an appointment"
    assert added == appointments, "the audit log does not match the appointments saved"
    return appointments


def test_import_killed_keeps_its_chunks_and_a_rerun_completes(
    db_url: str, tmp_path: Path, rng: random.Random
) -> None:
    services = services_for(db_url)
    staff_id = add_staff(services, "Import Desk", "desk").staff_id
    data = booking_csv(300)
    path = tmp_path / "bookings.csv"
    path.write_bytes(data)
    households = len({line.split(b",")[0] for line in data.splitlines()[1:]})
    saved = 0
    for _ in range(2):
        # Killed in the 1st to 3rd chunk past what the last run saved (each chunk audits
        # itself; a re-run passes the saved households again, as unchanged chunks).
        chunks = 2 * audit_count(services, "appointments.import") + rng.randrange(1, 4)
        Child("import_child", db_url, staff_id, str(path)).kill_after_audit(
            services, "appointments.import", chunks, rng.uniform(0, 0.2)
        )
        integrity_ok(db_url)
        now = _import_consistent(services)
        print(f"import killed: {now} of {households} households saved")
        assert now >= saved, "a committed chunk was lost"
        saved = now
    report = import_appointments(services.appointments, actor_of(staff_id), data)
    assert report.imported + report.unchanged == households and report.rejected == 0
    assert report.imported == households - saved
    assert _import_consistent(services) == households
    persons = count(services, select(func.count()).select_from(AppointmentPerson))
    visitors = count(services, select(func.count()).select_from(Visitor))
    assert persons == visitors == 300, "a person was imported twice"
    services.close()


# -- purge ------------------------------------------------------------------------------------


def purge_child(url: str, staff_id: int) -> None:
    import frontdesk.services.privacy as privacy

    privacy.PURGE_BATCH = 8  # many short batches, so the kills land between and inside them
    services = services_for(url)
    print("ready", flush=True)
    report = services.privacy.purge(actor_of(staff_id, "lead"))
    print("done", report.visitors, flush=True)


def _purge_consistent(services: Services) -> int:
    with services.db.read() as session:
        anonymised = session.scalar(
            select(func.count()).select_from(Visitor).where(Visitor.anonymised_at.is_not(None))
        )
        named = session.scalar(
            select(func.count())
            .select_from(Visitor)
            .where(Visitor.anonymised_at.is_not(None), Visitor.given_names != ANONYMOUS)
        )
        tokens = session.scalar(
            select(func.count())
            .select_from(VisitorNameToken)
            .join(Visitor, Visitor.id == VisitorNameToken.visitor_id)
            .where(Visitor.anonymised_at.is_not(None))
        )
    assert named == 0 and tokens == 0, "a visitor half anonymised"
    assert purged_in_audit(services) == anonymised, "the audit log does not match the purge"
    return int(anonymised or 0)


def test_purge_killed_leaves_data_and_audit_agreeing(db_url: str, rng: random.Random) -> None:
    services = services_for(db_url)
    clerk = add_staff(services, "Purge Desk", "desk")
    lead = add_staff(services, "Purge Lead", "lead")
    services.clock.advance(days=-400)  # type: ignore[attr-defined]
    for i in range(80):
        services.visitors.register(clerk, VisitorInput(given_names=f"Old {letters(i)}"))
    services.clock.advance(days=400)  # type: ignore[attr-defined]
    done = 0
    for _ in range(2):
        batches = audit_count(services, "privacy.purge") + rng.randrange(1, 4)
        Child("purge_child", db_url, lead.staff_id).kill_after_audit(
            services, "privacy.purge", batches, rng.uniform(0, 0.1)
        )
        integrity_ok(db_url)
        now = _purge_consistent(services)
        print(f"purge killed: {now} of 80 visitors anonymised")
        assert now >= done
        done = now
    assert services.privacy.purge(lead).visitors == 80 - done
    assert _purge_consistent(services) == 80


# -- close day --------------------------------------------------------------------------------


def close_child(url: str, staff_id: int) -> None:
    services = services_for(url)
    print("ready", flush=True)
    print("closed", services.queue.close_day(actor_of(staff_id, "lead")), flush=True)


def test_close_day_killed_is_all_or_nothing(db_url: str, rng: random.Random) -> None:
    services = services_for(db_url)
    clerk = add_staff(services, "Close Desk", "desk")
    lead = add_staff(services, "Close Lead", "lead")
    for _ in range(120):
        services.queue.issue(clerk, "info")
    for _ in range(2):
        killed = Child("close_child", db_url, lead.staff_id).kill_after(rng.uniform(0.0, 0.6))
        integrity_ok(db_url)
        with services.db.read() as session:
            statuses = session.execute(
                select(Ticket.status, func.count()).group_by(Ticket.status)
            ).all()
            events = session.scalar(select(func.count()).where(TicketEvent.action == "not_served"))
            closes = session.scalar(select(func.count()).where(AuditEvent.action == "day.close"))
        by_status = {status: n for status, n in statuses}
        assert by_status in ({"waiting": 120}, {"not_served": 120}), "a day half closed"
        assert events == by_status.get("not_served", 0), "a closed ticket without its event"
        assert closes == (1 if "not_served" in by_status else 0), "audit and tickets disagree"
        if not killed or closes:
            break
    else:
        services.queue.close_day(lead)  # the re-run
    assert count(services, select(func.count()).where(Ticket.status == "not_served")) == 120
    assert count(services, select(func.count()).where(TicketEvent.action == "not_served")) == 120
    assert count(services, select(func.count()).where(AuditEvent.action == "day.close")) == 1


# -- backup and restore (SQLite) --------------------------------------------------------------


def backup_child(url: str, folder: str) -> None:
    print("ready", flush=True)
    for i in range(100_000):
        backup(url, Path(folder) / f"copy-{i}.sqlite3")
        print(f"copied {i}", flush=True)


def _filled(url: str, visitors: int) -> Services:
    services = services_for(url)
    clerk = add_staff(services, f"Backup Desk {letters(visitors)}", "desk")
    for i in range(visitors):
        services.queue.register_walk_in(clerk, VisitorInput(given_names=f"Kept {letters(i)}"))
    return services


def test_backup_killed_leaves_no_broken_copy(
    sqlite_url: str, tmp_path: Path, rng: random.Random
) -> None:
    _filled(sqlite_url, 200).close()
    folder = tmp_path / "copies"
    for _ in range(2):
        folder.mkdir(exist_ok=True)
        child = Child("backup_child", sqlite_url, str(folder))
        child.kill_after(rng.uniform(0.05, 1.0))
        integrity_ok(sqlite_url)
        copied = {int(line.split()[1]) for line in child.lines if line.startswith("copied")}
        files = sorted(folder.glob("copy-*.sqlite3"))
        assert {int(f.stem.split("-")[1]) for f in files} >= copied, "a backup went missing"
        for file in files:
            assert verify(file).ok, f"{file.name} is a broken backup"
            assert file.stat().st_mode & 0o777 == 0o600
        # The re-run: a partial copy left by the kill does not stand in its way.
        for partial in folder.glob("*.partial"):
            check = backup(sqlite_url, partial.with_name(partial.name.removesuffix(".partial")))
            assert check.ok and check.counts["tickets"] == 200
            assert not partial.exists()
        for file in folder.iterdir():
            file.unlink()


def restore_child(url: str, first: str, second: str) -> None:
    print("ready", flush=True)
    for i in range(100_000):
        restore(url, first if i % 2 == 0 else second)
        print(f"restored {i % 2}", flush=True)


def test_restore_killed_leaves_one_whole_database(
    sqlite_url: str, tmp_path: Path, rng: random.Random
) -> None:
    services = _filled(sqlite_url, 60)
    small = backup(sqlite_url, tmp_path / "small.sqlite3")
    clerk = add_staff(services, "Restore Desk", "desk")
    for i in range(90):
        services.queue.register_walk_in(clerk, VisitorInput(given_names=f"More {letters(i)}"))
    large = backup(sqlite_url, tmp_path / "large.sqlite3")
    services.close()
    assert (small.counts["visitors"], large.counts["visitors"]) == (60, 150)
    for _ in range(2):
        Child("restore_child", sqlite_url, str(small.path), str(large.path)).kill_after(
            rng.uniform(0.05, 1.5)
        )
        integrity_ok(sqlite_url)
        check = verify(sqlite_url.removeprefix("sqlite:///"))
        assert check.ok and check.counts["visitors"] in (60, 150), "a restore left a mixture"
        assert check.counts["tickets"] == check.counts["visitors"]
    restore(sqlite_url, large.path)  # the re-run
    after = verify(sqlite_url.removeprefix("sqlite:///"))
    assert after.ok and after.counts == large.counts


# -- migration --------------------------------------------------------------------------------


def migrate_child(url: str) -> None:
    db = Database(url)
    print("ready", flush=True)
    upgrade(db)
    print("done", flush=True)


def _schema(db: Database) -> dict[str, tuple[list[str], list[str]]]:
    found = inspect(db.engine)
    return {
        t: (
            sorted(c["name"] for c in found.get_columns(t)),
            sorted(str(i["name"]) for i in found.get_indexes(t)),
        )
        for t in found.get_table_names()
    }


def test_upgrade_killed_leaves_a_database_the_next_start_upgrades(
    empty_url: str, tmp_path: Path, rng: random.Random
) -> None:
    from alembic import command

    from frontdesk.db.migrate import alembic_config

    fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fresh = Database(fresh_url)
    upgrade(fresh)
    db = Database(empty_url)
    upgrade(db)
    _filled(empty_url, 100).close()  # 100 visitors and their tickets
    command.downgrade(alembic_config(db), "0010")
    db.dispose()
    for _ in range(2):
        Child("migrate_child", empty_url).kill_after(rng.uniform(0.0, 1.2))
        integrity_ok(empty_url)
        with db.engine.connect() as conn:
            revision = current_revision(db)
            assert "0010" <= revision <= HEAD, revision
            visitors = conn.execute(text("SELECT count(*) FROM visitors")).scalar()
        assert visitors == 100, "the upgrade lost data"
        db.dispose()
    upgrade(db)  # the next start
    assert current_revision(db) == HEAD
    if db.dialect == "sqlite":
        assert _schema(db) == _schema(fresh), "the schema differs from a new database's"
    services = services_for(empty_url)
    assert len(services.visitors.search(actor_of(1), "Kept")) > 0
    services.close()
    db.dispose()
    fresh.dispose()
