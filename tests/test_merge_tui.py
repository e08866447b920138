"""The lead's merge as keys: F3 marks a likely duplicate, Ctrl+E opens the two records side
by side, arrows pick the values, Ctrl+S and y merge. A desk clerk sees no mark."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList, Static

from frontdesk.services import Actor, NotFound, Services
from frontdesk.services.visitors import VisitorInput, VisitorRecord
from frontdesk.tui.desk.find import DUPLICATE_MARK, FindScreen
from frontdesk.tui.lead.forms import FormModal
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.screens.merge import DuplicatesModal, MergeDialog
from tests.conftest import add_staff
from tests.helpers import at_desk, open_find, press, settle

ZOE = VisitorInput("Zoë", "Ødegård", "1990-05-17", "NO", phone="+47 412 34 567")
ZOE_AGAIN = VisitorInput("Zoe", "Odegard", "1990-05-17", email="zoe@example.org")
ZoeTwice = tuple[Actor, VisitorRecord, VisitorRecord]


@pytest.fixture
def zoe_twice(desk_services: Services) -> ZoeTwice:
    """The lead, and Zoë registered twice: the record to keep and its likely duplicate."""
    lead = add_staff(desk_services, "Lea Lead", "lead")
    keep = desk_services.visitors.register(lead, ZOE)
    return lead, keep, desk_services.visitors.register(lead, ZOE_AGAIN)


def _options(screen: FindScreen) -> list[str]:
    options = screen.query_one("#results", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_lead_merges_a_duplicate_found_with_f3(
    desk_services: Services, zoe_twice: ZoeTwice
) -> None:
    lead, keep, other = zoe_twice
    async with at_desk(desk_services, lead) as (app, pilot, _):
        screen = await open_find(pilot, *"odegard", "enter")
        assert all(DUPLICATE_MARK in line for line in _options(screen))
        # The older record first (both match; the search shows the latest change first).
        await press(pilot, "down")
        while screen.selected is None or screen.selected.id != keep.id:
            await press(pilot, "down")
        await press(pilot, "ctrl+e")
        dialog = app.screen
        assert isinstance(dialog, MergeDialog)
        table = dialog.query_one("#merge-fields", DataTable)
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert rows == ["Given names", "Family name", "Nationality", "Phone", "E-mail"]
        # Keep the given names (left, the default), take the plain family name (right),
        # keep the nationality, drop the phone (right: empty), keep the e-mail the other
        # record brought (the default where the record that stays has none).
        await pilot.press("down", "right", "down", "down", "right")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, FindScreen)
        merged = desk_services.visitors.get(lead, keep.id)
        assert (merged.given_names, merged.family_name) == ("Zoë", "Odegard")
        assert merged.phone is None and merged.email == "zoe@example.org"
        assert merged.nationality == "NO"
        assert [v.id for v in desk_services.visitors.search(lead, "odegard")] == [keep.id]
        assert not any(DUPLICATE_MARK in line for line in _options(screen))
        assert other.id not in [v.id for v in screen.results.visitors]


async def test_escape_merges_nothing_and_the_bsn_must_be_picked(
    desk_services: Services, zoe_twice: ZoeTwice
) -> None:
    lead, keep, other = zoe_twice
    async with at_desk(desk_services, lead) as (app, pilot, _):
        app.push_screen(MergeDialog(keep.id, other.id))
        await settle(app, pilot)
        await press(pilot, "s")  # the other record stays instead
        dialog = app.screen
        assert isinstance(dialog, MergeDialog)
        assert dialog.preview is not None and dialog.preview.survivor.id == other.id
        intro = str(dialog.query_one("#merge-intro", Static).content)
        assert f"#{other.id} stays" in intro
        await press(pilot, "escape")
        assert not isinstance(app.screen, MergeDialog)
    assert desk_services.visitors.get(lead, other.id).family_name == "Odegard"


async def test_a_clerk_sees_no_duplicate_marks_and_cannot_merge(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    desk_services.visitors.register(clerk, ZOE)
    desk_services.visitors.register(clerk, ZOE_AGAIN)
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_find(pilot, *"odegard", "enter")
        assert len(_options(screen)) == 2
        assert not any(DUPLICATE_MARK in line for line in _options(screen))
        await press(pilot, "down", "ctrl+e")
        assert isinstance(app.screen, FindScreen)


async def test_lead_screen_lists_duplicates_and_sets_capacity_and_employers(
    desk_services: Services, zoe_twice: ZoeTwice
) -> None:
    lead, keep, other = zoe_twice
    async with at_desk(desk_services, lead) as (app, pilot, _):
        await press(pilot, "alt+5")
        await press(pilot, "ctrl+u")
        listing = app.screen
        assert isinstance(listing, DuplicatesModal)
        assert listing.query_one("#duplicates", DataTable).row_count == 1
        await press(pilot, "enter")
        assert isinstance(app.screen, MergeDialog)
        await press(pilot, "ctrl+s", "y")
        assert app.screen is listing
        assert "No possible duplicates" in str(
            listing.query_one("#duplicates-count", Static).content
        )
        await press(pilot, "escape")
        # Capacity: a wrong number is refused beside the field, then 2 is saved.
        await press(pilot, "ctrl+k")
        assert isinstance(app.screen, FormModal)
        await press(pilot, "0", "ctrl+s")
        assert isinstance(app.screen, FormModal)
        assert "households a slot takes" in str(
            app.screen.query_one("#field-slot_capacity .field-error", Static).content
        )
        await press(pilot, "backspace", "2", "ctrl+s")
        assert not isinstance(app.screen, FormModal)
        assert desk_services.capacity.capacity() == 2
        view = app.screen.query_one("#bookings-view", Static)
        assert "2 households" in str(view.content)
        # The employer list: one line typed into the empty list.
        await press(pilot, "ctrl+y")
        assert isinstance(app.screen, FormModal)
        await press(pilot, *"Universiteit Leiden = Leiden University", "ctrl+s")
        assert desk_services.employers.names().canonical("UNIVERSITEIT leiden") == (
            "Leiden University"
        )
    with pytest.raises(NotFound):
        desk_services.visitors.get(lead, other.id)
    assert desk_services.visitors.get(lead, keep.id).email == "zoe@example.org"
