"""A desk process killed (SIGKILL) in the middle of its work loses nothing it committed.

The child registers walk-ins and calls/finishes tickets on a SQLite file and writes each
ticket id to its stdout right after the commit; the test kills it mid-way. Afterwards the
file is intact, every reported ticket is there, and no visitor was saved without the
ticket of their registration (a registration is one transaction).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk.clock import FixedClock
from frontdesk.services.visitors import VisitorInput
from tests.conftest import MONDAY_10, add_staff, letters, make_services

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]


def child(url: str, staff_id: int) -> None:
    """Runs in the killed process."""
    from frontdesk.services import Actor

    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Crash Desk", "desk", 1, "test")
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


def test_sigkill_mid_work_loses_nothing_committed(sqlite_url: str) -> None:
    setup = make_services(sqlite_url, FixedClock(MONDAY_10))
    staff_id = add_staff(setup, "Crash Desk", "desk").staff_id
    setup.close()
    code = f"from tests.test_crash_safety import child; child({sqlite_url!r}, {staff_id})"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    assert proc.stdout is not None
    lines: list[list[str]] = []
    try:
        for line in proc.stdout:
            lines.append(line.split())
            if len(lines) >= 150:
                os.kill(proc.pid, signal.SIGKILL)
                break
        lines += [line.split() for line in proc.stdout]  # committed before the kill
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the child ended before it was killed"

    issued = {int(n) for what, n in lines if what == "issued"}
    finished = {int(n) for what, n in lines if what == "finished"}
    assert len(issued) >= 100
    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        statuses = dict(conn.execute("SELECT id, status FROM tickets").fetchall())
        assert issued <= set(statuses), "a ticket reported as committed is missing"
        assert all(statuses[t] == "done" for t in finished), "a finished ticket went back"
        orphans = conn.execute(
            "SELECT count(*) FROM visitors v WHERE NOT EXISTS "
            "(SELECT 1 FROM tickets t WHERE t.visitor_id = v.id)"
        ).fetchone()[0]
        assert orphans == 0, "a visitor was saved without the ticket of the registration"
        events = conn.execute(
            "SELECT count(*) FROM tickets t WHERE NOT EXISTS "
            "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'issued')"
        ).fetchone()[0]
        assert events == 0, "a ticket without its 'issued' event"
    finally:
        conn.close()
