"""A refused appointment move (outside the BSN hours, or a full slot) names the nearest
free slot, earlier or later, never in the past; nothing is moved. On SQLite and
PostgreSQL; and the reschedule dialog shows it beside the time.

The clock: Monday 23-11-2026 10:00. BSN hours: Monday 09:00-12:15, Wednesday 09:00-16:30,
slots of 30 minutes (Monday's last slot starts at 11:30).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Input

from frontdesk.services import Actor, Services, ValidationError
from frontdesk.tui.appointments.dialogs import RescheduleModal
from frontdesk.tui.widgets.field import Field
from tests.conftest import add_staff
from tests.helpers import at_desk, household, press, settle

OUTSIDE = "this is outside the BSN appointment hours (Mon 09:00-12:15, Wed 09:00-16:30)"


def _book(services: Services, clerk: Actor, time: str, day: str = "2026-11-23") -> int:
    return services.appointments.book(
        clerk, household(day=day, time=time, partner=False, children=0)
    ).id


def _start(services: Services, clerk: Actor, appointment_id: int) -> datetime:
    info = services.appointments.get(clerk, appointment_id)
    return services.clock.to_local(info.start_at)


def _refusal(services: Services, clerk: Actor, ap: int, day: str, time: str) -> str:
    before = _start(services, clerk, ap)
    with pytest.raises(ValidationError) as refused:
        services.appointments.reschedule(clerk, ap, day, time)
    assert refused.value.field == "time"
    assert _start(services, clerk, ap) == before  # nothing moved
    return refused.value.message


def test_outside_the_hours_the_nearest_slot_earlier_or_later(
    services: Services, clerk: Actor
) -> None:
    ap = _book(services, clerk, "11:00")
    # Monday 13:00: Monday's last slot (11:30) is nearer than Wednesday morning.
    assert _refusal(services, clerk, ap, "2026-11-23", "13:00") == (
        f"{OUTSIDE}; the nearest free slot is Mon 23-11-2026 11:30"
    )
    # Tuesday 10:00 lies 22.5 h after Monday 11:30 and 23 h before Wednesday 09:00.
    assert _refusal(services, clerk, ap, "2026-11-24", "10:00").endswith(
        "the nearest free slot is Mon 23-11-2026 11:30"
    )
    # Tuesday 14:00: Wednesday 09:00 is nearer.
    assert _refusal(services, clerk, ap, "2026-11-24", "14:00").endswith(
        "the nearest free slot is Wed 25-11-2026 09:00"
    )
    # Before opening today: never a slot in the past (it is 10:00 now).
    assert _refusal(services, clerk, ap, "2026-11-23", "08:00").endswith(
        "the nearest free slot is Mon 23-11-2026 10:00"
    )


def test_the_nearest_slot_has_room(services: Services, clerk: Actor, lead: Actor) -> None:
    services.capacity.set_capacity(lead, 1)
    _book(services, clerk, "11:30")
    moving = _book(services, clerk, "10:30")
    # 11:30 is taken; 11:00 is free (10:30, the one being moved, would be free too).
    assert _refusal(services, clerk, moving, "2026-11-23", "13:00").endswith(
        "the nearest free slot is Mon 23-11-2026 11:00"
    )


def test_a_full_slot_names_the_nearest_free_one(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    services.capacity.set_capacity(lead, 1)
    _book(services, clerk, "11:00")
    _book(services, clerk, "11:30")
    moving = _book(services, clerk, "09:30", day="2026-11-25")
    # Monday 11:00 is full; 10:30 (earlier) is nearer than Wednesday.
    assert _refusal(services, clerk, moving, "2026-11-23", "11:00") == (
        "this slot is full (1 household, room for 1); the nearest free slot is Mon 23-11-2026 10:30"
    )
    # The edit form's path (a changed time) says the same.
    with pytest.raises(ValidationError, match="the nearest free slot is Mon 23-11-2026 10:30"):
        services.appointments.update(
            clerk, moving, household(time="11:00", partner=False, children=0)
        )
    with pytest.raises(ValidationError) as refused:
        services.appointments.update(
            clerk, moving, household(time="13:00", partner=False, children=0)
        )
    assert refused.value.message == f"{OUTSIDE}; the nearest free slot is Mon 23-11-2026 10:30"


def test_a_new_booking_outside_the_hours_is_refused_as_before(
    services: Services, clerk: Actor
) -> None:
    with pytest.raises(ValidationError) as refused:
        _book(services, clerk, "13:00")
    assert refused.value.message == OUTSIDE


async def test_the_move_dialog_shows_the_nearest_slot_beside_the_time(
    desk_services: Services,
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    ap = _book(desk_services, clerk, "11:00")
    info = desk_services.appointments.get(clerk, ap)
    async with at_desk(desk_services, clerk, size=(80, 24)) as (app, pilot, _):
        app.push_screen(RescheduleModal(info, "11:00"))
        await settle(app, pilot)
        dialog = app.screen
        time_input = dialog.query_one("#time", Input)
        time_input.value = "13:00"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog  # still open, as typed
        assert time_input.value == "13:00"
        error = str(dialog.query_one("#field-time", Field).query_one(".field-error").render())
        assert "the nearest free slot is Mon 23-11-2026 11:30" in error
    assert _start(desk_services, clerk, ap).hour == 11
