"""Two desks booking the last place of a slot at once (processes; SQLite and PostgreSQL):
each slot ends with exactly as many households as the lead allows."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

import pytest

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services, ValidationError
from tests.conftest import MONDAY_10, add_staff, letters, make_services
from tests.helpers import MONDAY, household

SLOTS = ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30")

pytestmark = pytest.mark.slow


def _desk(url: str, staff_id: int, desk: int, start: Any, results: Any) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Desk", "desk", desk, "test")
    start.wait()
    for time in SLOTS:
        try:
            services.appointments.book(actor, household(time=time, partner=False, children=0))
            results.put(("booked", time))
        except ValidationError as refused:
            assert refused.field == "time"
            results.put(("full", time))
    services.close()


def test_two_desks_cannot_both_take_the_last_place(services: Services) -> None:
    lead = add_staff(services, "Lea Lead", "lead")
    desks = [add_staff(services, f"Desk {letters(i)}", "desk") for i in range(2)]
    services.capacity.set_capacity(lead, 1)
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_desk, args=(services.db.url, d.staff_id, i + 1, start, results))
        for i, d in enumerate(desks)
    ]
    for p in procs:
        p.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in range(2 * len(SLOTS))]
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0, f"a process ended with {p.exitcode}"
    assert Counter(t for what, t in outcomes if what == "booked") == dict.fromkeys(SLOTS, 1)
    booked = services.appointments.day(lead, MONDAY)
    assert Counter(services.clock.to_local(a.start_at).strftime("%H:%M") for a in booked) == (
        dict.fromkeys(SLOTS, 1)
    )
