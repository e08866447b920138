"""The now-serving board: live updates, no names ever, survives the database going away."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from textual.widgets import Digits, Static

from frontdesk.clock import FixedClock
from frontdesk.demo import DEMO_PEOPLE
from frontdesk.services import Actor, Services
from frontdesk.services.queue import ServiceLoad
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.board import BoardApp, ServingRow, big_letters, split_label, wait_text
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import poll_board, reloaded

NAMES = [(given, family) for given, family, *_ in DEMO_PEOPLE[:8]]


def _desk(services: Services, desk: int) -> Actor:
    actor = add_staff(services, f"Clerk {desk}", "desk", desk=desk)
    return actor


def _fill(services: Services) -> list[Actor]:
    """Eight named visitors waiting; desks 1 and 2 have called the first two."""
    clerk = _desk(services, 1)
    second = _desk(services, 2)
    codes = ["info", "welcome_pack", "info", "referral", "info", "bsn_collection", "info", "info"]
    for (given, family), code in zip(NAMES, codes, strict=True):
        services.queue.register_walk_in(
            clerk, VisitorInput(given_names=given, family_name=family), service_code=code
        )
        services.clock.advance(minutes=2)  # type: ignore[attr-defined]
    services.queue.call_next(clerk, 1)
    services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    services.queue.call_next(second, 2)
    return [clerk, second]


def _shown(app: BoardApp) -> list[tuple[str, str]]:
    """(ticket, desk) of every visible serving row, read from the widgets."""
    out = []
    for row in app.board.query(ServingRow):
        if not row.display:
            continue
        prefix = row.query_one(".prefix", Static)
        number = row.query_one(".number", Digits).value
        desk = row.query_one(".desk", Digits).value
        letters = next(k for k in "ABCRW" if big_letters(k) == str(prefix.content))
        out.append((letters + number, desk))
    return out


def _screen_text(app: BoardApp) -> str:
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg).replace("&#160;", " ")
    statics = " ".join(str(w.content) for w in app.board.query(Static))
    return text + statics


async def test_board_shows_called_tickets_and_desks(desk_services: Services) -> None:
    _fill(desk_services)
    app = BoardApp(desk_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await poll_board(pilot)
        assert _shown(app) == [("W001", "2"), ("A001", "1")]
        load = {row.code: row for row in app.state.load} if app.state else {}
        assert load["info"].waiting == 4 and load["referral"].waiting == 1
        text = _screen_text(app)
        assert "A001" in text and "W001" in text  # the last calls list
        assert "4 waiting" in text
        assert "10:17" in text or "10:1" in text  # call times shown in local time


async def test_board_updates_live_and_flashes_and_rings(desk_services: Services) -> None:
    _fill(desk_services)
    app = BoardApp(desk_services)
    bells: list[int] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await poll_board(pilot)
        assert bells == []  # the first picture is no news
        # Another desk, another process: its own Services on the same database file.
        other = make_services(desk_services.db.url, FixedClock(MONDAY_10))
        try:
            other.clock.advance(minutes=20)  # type: ignore[attr-defined]
            desk3 = Actor(_desk(other, 3).staff_id, "Clerk 3", "desk", 3)
            called = other.queue.call_next(desk3, 3)
            assert called is not None
        finally:
            other.close()
        await reloaded(pilot, app, lambda: (called.label, "3") in _shown(app))  # its own timer
        assert (called.label, "3") in _shown(app)
        assert _shown(app)[0] == (called.label, "3")  # the newest call on top
        assert app.is_flashing(called.label)
        new_rows = [r for r in app.board.query(ServingRow) if r.has_class("-new")]
        assert [r.call.label for r in new_rows] == [called.label]
        assert bells == [1]
        # Nothing changed: no second bell, no flicker of rebuilt rows.
        rows_before = list(app.board.query(ServingRow))
        await poll_board(pilot)
        assert bells == [1] and list(app.board.query(ServingRow)) == rows_before


async def test_board_never_shows_a_visitor_name(desk_services: Services) -> None:
    _fill(desk_services)
    app = BoardApp(desk_services)
    async with app.run_test(size=(200, 50)) as pilot:
        await poll_board(pilot)
        text = _screen_text(app)
        assert _shown(app)  # the board is not simply empty
        for given, family in NAMES:
            assert given not in text and family not in text


async def test_board_survives_a_database_error(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(desk_services)
    real_board = desk_services.queue.board
    failures = []

    def flaky(recent: int = 6):  # type: ignore[no-untyped-def]
        if not failures:
            failures.append(1)
            raise OperationalError("SELECT", {}, Exception("unable to open database file"))
        return real_board(recent)

    monkeypatch.setattr(desk_services.queue, "board", flaky)
    app = BoardApp(desk_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()  # the first poll, as the board starts
        await pilot.pause()
        assert not app.online and app.error_count == 1
        banner = app.board.query_one("#board-offline", Static)
        assert banner.display and "cannot reach the database" in str(banner.content)
        assert "Traceback" not in _screen_text(app)
        await poll_board(pilot)
        assert app.online and not app.board.has_class("-offline")
        assert _shown(app) == [("W001", "2"), ("A001", "1")]


async def test_board_keeps_trying_when_the_database_is_gone(tmp_path: Path) -> None:
    from frontdesk.config import Settings
    from frontdesk.db import Database

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"  # no tables: nothing can be read
    services = Services(Database(url), Settings(db_url=url), FixedClock(MONDAY_10))
    app = BoardApp(services)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await poll_board(pilot)
            await poll_board(pilot)
            assert not app.online and app.is_running
    finally:
        services.close()


def test_labels_wait_texts_and_letters() -> None:
    assert split_label("B007") == ("B", "007")
    assert split_label("BR012") == ("BR", "012")
    assert len(big_letters("W").splitlines()) == 3
    assert all(len(line) == 7 for line in big_letters("QZ").splitlines())

    def load(waiting: int, minutes: int) -> ServiceLoad:
        return ServiceLoad("info", "Information", "A", waiting, minutes)

    assert wait_text(load(0, 0)) == "no wait"
    assert wait_text(load(1, 3)) == "under 5 min"
    assert wait_text(load(3, 23)) == "about 25 min"
    assert wait_text(load(9, 95)) == "about 1 h 30"


def _snapshot_services(url: str) -> Services:
    services = make_services(url, FixedClock(MONDAY_10 - timedelta(minutes=45)))
    _fill(services)
    third = Actor(_desk(services, 3).staff_id, "Clerk 3", "desk", 3)
    services.clock.advance(minutes=3)  # type: ignore[attr-defined]
    services.queue.call_next(third, 3)
    return services


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_board_snapshot(snap_compare, sqlite_url: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    services = _snapshot_services(sqlite_url)
    app = BoardApp(services)

    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await poll_board(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=settle)
    finally:
        services.close()
