"""Parallel PIN guessers (separate processes) on one account: the lockout holds.

Eight processes guess wrong PINs for the same account at the same moment. However they
interleave, the account gets at most ``lockout_attempts`` PIN checks before it locks, on
SQLite and on PostgreSQL; after that even the right PIN is refused until the lock ends.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
from multiprocessing.synchronize import Barrier

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import AuditEvent
from frontdesk.services import Services, ValidationError
from tests.conftest import MONDAY_10, TEST_PIN, add_staff, make_services

GUESSERS = 8
GUESSES = 6
ATTEMPTS = 5


def _guess(url: str, staff_id: int, start: Barrier) -> None:
    services = make_services(url, FixedClock(MONDAY_10), lockout_attempts=ATTEMPTS)
    try:
        start.wait(timeout=60)
        for i in range(GUESSES):
            with contextlib.suppress(ValidationError):
                services.staff.login(staff_id, f"98{i}{i}", desk=1)
    finally:
        services.close()


def _checks(services: Services, staff_id: int) -> int:
    """PIN checks that ran (a wrong PIN counted, or the one that locked the account)."""
    with services.db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.actor_id == staff_id,
                    ((AuditEvent.action == "login") & (AuditEvent.result == "wrong_pin"))
                    | (AuditEvent.action == "login.lockout"),
                )
            )
            or 0
        )


@pytest.mark.slow
def test_parallel_guessers_get_at_most_the_allowed_checks(services: Services) -> None:
    clerk = add_staff(services, "Gus Guessed", "desk")
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(GUESSERS)
    procs = [
        ctx.Process(target=_guess, args=(services.db.url, clerk.staff_id, start))
        for _ in range(GUESSERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0, f"a guesser ended with {p.exitcode}"
    assert _checks(services, clerk.staff_id) == ATTEMPTS
    with services.db.read() as session:
        lockouts = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.lockout")
        )
    assert lockouts == 1
    # Locked: the right PIN is refused too, with the real minutes left.
    with pytest.raises(ValidationError, match="locked for 5 more minutes"):
        services.staff.login(clerk.staff_id, TEST_PIN, desk=1)


def test_a_one_minute_lock_says_one_minute_and_holds_for_it(db_url: str) -> None:
    clock = FixedClock(MONDAY_10)
    services = make_services(db_url, clock, lockout_attempts=1, lockout_minutes=1)
    try:
        clerk = add_staff(services, "Gus Guessed", "desk")
        with pytest.raises(ValidationError, match=r"now locked for 1 minute\.$"):
            services.staff.login(clerk.staff_id, "9876")
        clock.advance(seconds=59)
        with pytest.raises(ValidationError, match=r"locked for 1 more minute\.$"):
            services.staff.login(clerk.staff_id, TEST_PIN)
        clock.advance(seconds=2)
        assert services.staff.login(clerk.staff_id, TEST_PIN).staff_id == clerk.staff_id
    finally:
        services.close()
