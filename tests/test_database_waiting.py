"""A busy or unreachable database: a banner, retries, and the work carries on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.services.errors import database_unreachable
from frontdesk.tui import work
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.screens.dialogs import ErrorModal
from tests.conftest import make_services


def locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_which_errors_are_worth_retrying() -> None:
    assert database_unreachable(locked())
    no_table = sqlite3.OperationalError("no such table: visitors")
    assert not database_unreachable(OperationalError("SELECT", {}, no_table))
    assert not database_unreachable(ProgrammingError("SELECT", {}, Exception("syntax")))
    assert not database_unreachable(ValueError("x"))


@pytest.fixture
def ui_services(sqlite_url: str, clock: FixedClock) -> Iterator[Services]:
    s = make_services(sqlite_url, clock)
    yield s
    s.close()


def _messages(app: FrontdeskApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_banner_while_retrying_then_the_result(
    ui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(work, "RETRY_SECONDS", 0.2)
    failures = [locked(), locked(), locked()]
    results: list[str] = []

    def flaky() -> str:
        if failures:
            raise failures.pop()
        return "saved"

    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        work.run_service(app.screen, flaky, done=results.append)
        await pilot.pause(0.3)
        assert any("Database not reachable" in m for m in _messages(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert results == ["saved"]
        assert not any("not reachable" in m for m in _messages(app))
        assert any("Database back" in m for m in _messages(app))
        assert not isinstance(app.screen, ErrorModal)


async def test_gives_up_with_the_error_modal(
    ui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(work, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(work, "RETRY_ATTEMPTS", 3)

    def always() -> None:
        raise locked()

    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        work.run_service(app.screen, always)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal)
        assert not any("not reachable" in m for m in _messages(app))
