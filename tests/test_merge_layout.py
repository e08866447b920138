"""The merge dialog fits 80x24: with many differing fields the body scrolls and the
buttons (and the box's bottom border) stay on screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, DataTable

from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.screens.merge import MergeDialog
from tests.conftest import add_staff
from tests.helpers import at_desk, log_in, make_app, press, settle

# Two records of one person that differ in nearly every field (the worst case).
FIRST = VisitorInput(
    "Zoë", "Ødegård", "1990-05-17", "NO", phone="+47 412 34 567", email="zoe@example.org",
    category="researcher", employer="Leiden University", municipality="Leiden",
    language="en", notes="Asked about housing",
)  # fmt: skip
SECOND = VisitorInput(
    "Zoe", "Odegard", None, "SE", phone="06 1234 5678", email="z.odegard@example.org",
    category="family", employer="ESA ESTEC", municipality="Noordwijk",
    language="nl", notes="Came with her partner",
)  # fmt: skip


def _pair(services: Services) -> tuple[Actor, int, int]:
    lead = add_staff(services, "Lea Lead", "lead")
    first = services.visitors.register(lead, FIRST)
    second = services.visitors.register(lead, SECOND)
    return lead, first.id, second.id


async def test_the_merge_dialog_keeps_its_buttons_at_80x24(desk_services: Services) -> None:
    lead, keep, other = _pair(desk_services)
    async with at_desk(desk_services, lead, size=(80, 24)) as (app, pilot, _):
        app.push_screen(MergeDialog(keep, other))
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, MergeDialog)
        assert dialog.query_one("#merge-fields", DataTable).row_count >= 9
        box = dialog.query_one("#dialog-box").region
        assert box.y >= 0 and box.bottom <= 24  # the whole box, borders included
        for button in dialog.query(Button):
            assert button.region.height > 0 and button.region.bottom <= box.bottom - 1
        # The last field can be reached and picked with the keys alone.
        table = dialog.query_one("#merge-fields", DataTable)
        await press(pilot, *["down"] * table.row_count, "right")
        assert table.cursor_row == table.row_count - 1
        last = dialog.preview.differing[-1].field if dialog.preview else ""
        assert dialog.choices[last] == "other"


def test_the_merge_dialog_at_80x24_snapshot(snap_compare: Any, desk_services: Services) -> None:
    lead, keep, other = _pair(desk_services)
    app = make_app(desk_services)

    async def run_before(pilot: Pilot[Any]) -> None:
        await log_in(app, pilot, lead)
        app.push_screen(MergeDialog(keep, other))
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
