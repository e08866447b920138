"""A busy or unreachable database: a banner, retries, and the work carries on."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import psycopg
import psycopg.errors
from sqlalchemy.exc import OperationalError, ProgrammingError

from frontdesk.services import Services
from frontdesk.services.errors import database_unreachable
from frontdesk.tui import work
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.screens.dialogs import ErrorModal
from frontdesk.tui.textual_compat import notifications
from frontdesk.tui.work import RetryPolicy
from tests.helpers import until


def locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def wrapped(original: BaseException) -> OperationalError:
    return OperationalError("SELECT 1", {}, original)


def test_which_errors_are_worth_retrying() -> None:
    assert database_unreachable(locked())
    assert database_unreachable(wrapped(sqlite3.OperationalError("database is busy")))
    # PostgreSQL: a dropped connection, a server restarting, a lost race.
    assert database_unreachable(wrapped(psycopg.OperationalError("server closed the connection")))
    assert database_unreachable(wrapped(psycopg.errors.AdminShutdown()))
    assert database_unreachable(wrapped(psycopg.errors.ConnectionFailure()))
    assert database_unreachable(wrapped(psycopg.errors.SerializationFailure()))
    invalidated = wrapped(Exception("gone"))
    invalidated.connection_invalidated = True
    assert database_unreachable(invalidated)


def test_which_errors_are_not_retried() -> None:
    no_table = sqlite3.OperationalError("no such table: visitors")
    assert not database_unreachable(OperationalError("SELECT", {}, no_table))
    assert not database_unreachable(wrapped(sqlite3.OperationalError("disk I/O error")))
    assert not database_unreachable(wrapped(sqlite3.OperationalError("unable to open database")))
    assert not database_unreachable(wrapped(Exception("disk I/O error")))  # another driver
    assert not database_unreachable(wrapped(psycopg.errors.DiskFull()))
    assert not database_unreachable(wrapped(psycopg.errors.QueryCanceled()))
    assert not database_unreachable(ProgrammingError("SELECT", {}, Exception("syntax")))
    assert not database_unreachable(ValueError("x"))


def test_the_policy_retries_transient_errors_a_limited_number_of_times() -> None:
    policy = RetryPolicy(seconds=0.01, attempts=2)
    assert policy.should_retry(locked(), 0) and policy.should_retry(locked(), 1)
    assert not policy.should_retry(locked(), 2)
    assert not policy.should_retry(wrapped(Exception("disk I/O error")), 0)


def _messages(app: FrontdeskApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in notifications(app)]


async def test_banner_while_retrying_then_the_result(desk_services: Services) -> None:
    failures = [locked(), locked(), locked()]
    results: list[str] = []
    banner_seen = threading.Event()

    def flaky() -> str:
        if failures:
            raise failures.pop()
        banner_seen.wait(60)  # the database answers once the test has seen the banner
        return "saved"

    app = FrontdeskApp(desk_services, desk_services.settings, retry=RetryPolicy(seconds=0.01))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        work.run_service(app.screen, flaky, done=results.append)
        await until(pilot, lambda: any("Database not reachable" in m for m in _messages(app)))
        banner_seen.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert results == ["saved"]
        assert not any("not reachable" in m for m in _messages(app))
        assert any("Database back" in m for m in _messages(app))
        assert not isinstance(app.screen, ErrorModal)


async def _shows_the_error_modal(app: FrontdeskApp, fails: Callable[[], None]) -> None:
    """Run ``fails`` as a screen's database work: the error modal opens, and no banner
    says the database is not reachable."""
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        work.run_service(app.screen, fails)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal)
        assert not any("not reachable" in m for m in _messages(app))


async def test_gives_up_with_the_error_modal(desk_services: Services) -> None:
    def always() -> None:
        raise locked()

    app = FrontdeskApp(desk_services, desk_services.settings, retry=RetryPolicy(0.01, attempts=3))
    await _shows_the_error_modal(app, always)


async def test_an_error_that_is_not_transient_opens_the_error_modal_at_once(
    desk_services: Services,
) -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise wrapped(Exception("disk I/O error"))

    app = FrontdeskApp(desk_services, desk_services.settings)  # the product's policy: minutes
    await _shows_the_error_modal(app, broken)
    assert calls == [1]
