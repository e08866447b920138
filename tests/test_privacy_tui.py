"""The privacy duties through the keys a team lead presses (Pilot)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from tests.conftest import TEST_PIN, add_staff, make_services
from tests.helpers import enter_pin, press


async def palette(pilot: Pilot[None], text: str) -> None:
    await press(pilot, "ctrl+p")
    await press(pilot, *text)  # the palette's search is a worker: settled, its hits are in
    await press(pilot, "enter")


def old_visitor(services: Services, clerk: Actor, name: str = "Olga") -> int:
    services.clock.advance(days=-400)  # type: ignore[attr-defined]
    record = services.visitors.register(clerk, VisitorInput(given_names=name, family_name="Old"))
    services.clock.advance(days=400)  # type: ignore[attr-defined]
    return record.id


async def test_lead_purges_from_the_palette(desk_services: Services) -> None:
    add_staff(desk_services, "Ada Lead", "lead")
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    visitor_id = old_visitor(desk_services, clerk)
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        assert app.actor is not None and app.actor.role == "lead"
        await palette(pilot, "anonymise old")
        assert app.screen.id == "purge"
        count = str(app.screen.query_one("#purge-count", Static).content)
        assert "Would anonymise 1 visitor" in count
        assert desk_services.visitors.get(clerk, visitor_id).anonymised is False
        await press(pilot, "ctrl+s")
        assert app.screen.id != "purge"
    assert desk_services.visitors.get(clerk, visitor_id).anonymised is True


async def test_desk_staff_do_not_see_the_privacy_commands(desk_services: Services) -> None:
    add_staff(desk_services, "Dirk Desk", "desk")
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith("Privacy:") for t in titles)
        assert "Privacy screen (F12)" in titles


async def test_lead_exports_a_visitor_found_by_search(desk_services: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_staff(desk_services, "Ada Lead", "lead")
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    visitor_id = old_visitor(desk_services, clerk, "Wilhelmina")
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        await palette(pilot, "export a visitor")
        assert app.screen.id == "pick-visitor"
        await press(pilot, *"wilhel")
        await press(pilot, "enter", "enter")
        assert app.screen.id == "export"
        folder = app.screen.query_one("#directory")
        folder.value = str(tmp_path)  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        result = str(app.screen.query_one("#export-result", Static).content)
        assert f"visitor-{visitor_id}-" in result
    assert len(list(tmp_path.glob("visitor-*.json"))) == 1
    assert "Wilhelmina" in next(tmp_path.glob("visitor-*.md")).read_text(encoding="utf-8")


async def test_erasure_is_refused_while_in_the_queue(desk_services: Services) -> None:
    add_staff(desk_services, "Ada Lead", "lead")
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    visitor, _ticket = desk_services.queue.register_walk_in(
        clerk, VisitorInput(given_names="Quentin", family_name="Queued")
    )
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        await palette(pilot, "erase a visitor")
        await press(pilot, *"quentin")
        await press(pilot, "enter", "enter")
        assert app.screen.id == "erase"
        block = str(app.screen.query_one("#erase-block", Static).content)
        assert "today's queue" in block
        await press(pilot, *"asked at the desk", "enter")
        assert app.screen.id == "erase"
        assert desk_services.visitors.get(clerk, visitor.id).anonymised is False
        # Once the visit is over, the same request goes through.
        ticket = desk_services.queue.call_next(clerk, 1)
        assert ticket is not None
        desk_services.queue.finish(clerk, ticket.id)
        await press(pilot, "ctrl+s")
        assert app.screen.id != "erase"
    assert desk_services.visitors.get(clerk, visitor.id).anonymised is True


async def test_f12_hides_everything_until_pressed_again(desk_services: Services) -> None:
    add_staff(desk_services, "Ada Lead", "lead")
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    desk_services.visitors.register(
        clerk, VisitorInput(given_names="Wilhelmina", family_name="Zeeman", phone="0612345678")
    )
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        await palette(pilot, "export a visitor")
        await press(pilot, *"zeeman")
        assert "Zeeman" in app.export_screenshot()
        await pilot.press("f12")
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert app.screen.id == "privacy-curtain"
        assert "F12 to return" in shown
        assert "Zeeman" not in shown and "Wilhelmina" not in shown and "Ada Lead" not in shown
        await pilot.press("f12")
        await pilot.pause()
        assert app.screen.id == "pick-visitor"
        assert "Zeeman" in app.export_screenshot()
        # The lock (idle or Ctrl+L) covers the screen the same way.
        app.action_lock()
        await pilot.pause()
        locked = app.export_screenshot().replace("&#160;", " ")
        assert "Screen locked" in locked and "Zeeman" not in locked


def test_privacy_curtain_snapshot(snap_compare, sqlite_url: str, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    services = make_services(sqlite_url, clock)
    add_staff(services, "Ada Lead", "lead")
    app = FrontdeskApp(services, services.settings)

    async def run_before(pilot: Pilot[None]) -> None:
        await enter_pin(pilot)
        await pilot.press("f12")
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)
    finally:
        services.close()


async def test_lead_browses_and_filters_the_audit_log(desk_services: Services) -> None:
    add_staff(desk_services, "Ada Lead", "lead")
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    desk_services.staff.login(clerk.staff_id, TEST_PIN)
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        await palette(pilot, "audit log")
        assert app.screen.id == "audit"
        table = app.screen.query_one("#audit-table")
        assert table.row_count == 2  # type: ignore[attr-defined]
        await press(pilot, *"login", "tab", *"dirk", "enter")
        assert table.row_count == 1  # type: ignore[attr-defined]
        await press(pilot, "tab", *"nonsense", "enter")
        error = app.screen.query_one("#field-since .field-error", Static)
        assert "not a date" in str(error.content)
        await press(pilot, "ctrl+r")
        assert table.row_count == 2  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id != "audit"
