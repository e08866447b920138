"""Opening hours and the target wait: the config's until the lead saves others, then the
database's for every desk; checked, audited, lead only; appointments and reports follow."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from frontdesk.config import DEFAULT_HOURS, Hours
from frontdesk.db.models import AuditEvent, CentreRule
from frontdesk.services import Actor, Conflict, PermissionDenied, Services, ValidationError
from frontdesk.services.reports import Period
from frontdesk.services.rules import (
    HOURS_FIELDS,
    check_blocks,
    check_target_wait,
    format_blocks,
    parse_day,
)
from tests.conftest import make_services
from tests.helpers import DAY, MONDAY, household, normal_day

# These tests are about the opening hours themselves: the configured ones, not TEST_HOURS.
pytestmark = pytest.mark.real_hours

FRI = 4


def _rows(services: Services) -> int:
    with services.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(CentreRule)) or 0)


def _audit(services: Services) -> list[tuple[str, str | None, int | None]]:
    with services.db.read() as session:
        return [
            (e.action, e.reason, e.actor_id)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == "centre_rules")
                .order_by(AuditEvent.id)
            )
        ]


# -- parsing what the lead types -----------------------------------------------------------
def test_a_day_is_typed_as_blocks() -> None:
    assert parse_day("walk_in", FRI, "") == ()
    assert parse_day("walk_in", FRI, " closed ") == ()
    assert format_blocks(parse_day("walk_in", FRI, "13:00-16:30, 9:00-12:15")) == (
        "09:00-12:15, 13:00-16:30"
    )
    # spaces, an en dash, "to", a dot, whole hours: all the same thing
    for typed in ("09:00 - 12:00", "9.00–12.00", "9 to 12", "9-12"):
        assert parse_day("walk_in", FRI, typed) == (Hours(FRI, time(9), time(12), "walk_in"),)
    # touching blocks do not overlap
    assert len(parse_day("walk_in", FRI, "09:00-12:00 12:00-13:00")) == 2


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("25:00-26:00", "time that does not exist"),
        ("09:00-12:60", "time that does not exist"),
        ("12:00-09:00", "ends before it starts"),
        ("09:00-09:00", "ends when it starts"),
        ("09:00-12:00, 11:00-13:00", "the first and second blocks overlap"),
        ("09:00-17:00, 10:00-11:00", "overlap"),
        ("morning", "HH:MM-HH:MM"),
        ("10:00", "HH:MM-HH:MM"),
        ("09:00-12:00, 13:00-14:00, 25:00-26:00", "the third block"),
    ],
)
def test_bad_hours_are_refused_naming_the_field(typed: str, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_day("walk_in", FRI, typed)
    assert err.value.field == "walk_in_fri"
    assert words in err.value.message
    assert typed not in err.value.message  # the message never repeats what was typed


def test_a_week_of_blocks_is_checked() -> None:
    ok = check_blocks(
        [
            Hours(0, time(9), time(12), "walk_in"),
            Hours(0, time(9), time(12), "bsn_appointments"),  # another kind may overlap
        ]
    )
    assert len(ok) == 2
    with pytest.raises(ValidationError) as err:
        check_blocks([Hours(2, time(9), time(12), "bsn_appointments"),
                      Hours(2, time(11), time(13), "bsn_appointments")])  # fmt: skip
    assert err.value.field == "bsn_appointments_wed" and "overlap" in err.value.message
    with pytest.raises(ValidationError) as err:
        check_blocks([Hours(1, time(12), time(9), "walk_in")])
    assert err.value.field == "walk_in_tue"
    with pytest.raises(ValidationError):
        check_blocks([Hours(1, time(9), time(12), "lunch")])


@pytest.mark.parametrize(
    ("typed", "minutes"), [("20", 20), (" 1 ", 1), ("240", 240), ("30 min", 30), (45, 45)]
)
def test_target_wait_accepted(typed: object, minutes: int) -> None:
    assert check_target_wait(typed) == minutes


@pytest.mark.parametrize("typed", ["0", "241", "", "fifteen", "-5", "12.5", None, True])
def test_target_wait_refused(typed: object) -> None:
    with pytest.raises(ValidationError) as err:
        check_target_wait(typed)
    assert err.value.field == "target_wait"
    assert "minutes" in err.value.message


# -- the service -------------------------------------------------------------------------------
def test_the_config_applies_until_the_lead_saves(services: Services, lead: Actor) -> None:
    rules = services.rules.current()
    assert rules.hours_changed is None and rules.target_changed is None
    assert set(rules.hours) == set(DEFAULT_HOURS)
    assert rules.target_wait_minutes == services.settings.target_wait_minutes == 15
    assert rules.day_text("walk_in", FRI) == "09:00-13:00"
    assert set(rules.texts()) == {name for name, _, _ in HOURS_FIELDS}
    # Saving what is already in force writes nothing: the config stays the source.
    services.rules.save(lead, hours=rules.texts(), target_wait="15")
    assert _rows(services) == 0 and _audit(services) == []
    assert services.rules.current().hours_changed is None


def test_the_lead_changes_hours_and_target_audited(services: Services, lead: Actor) -> None:
    saved = services.rules.save(
        lead, hours={"walk_in_fri": "09:00-12:00", "walk_in_sat": "10:00-12:00"}, target_wait="20"
    )
    assert saved.day_text("walk_in", FRI) == "09:00-12:00"
    assert saved.day_text("walk_in", 5) == "10:00-12:00"
    assert saved.day_text("walk_in", 0) == "15:00-17:00"  # fields left out keep their hours
    assert saved.target_wait_minutes == 20
    assert saved.hours_changed is not None and saved.hours_changed.by == "Lea Lead"
    assert saved.target_changed is not None and saved.target_changed.at == services.clock.now()
    assert services.rules.current() == saved
    assert services.rules.target_wait_minutes() == 20
    assert Hours(FRI, time(9), time(12), "walk_in") in services.rules.hours()
    assert _audit(services) == [
        (
            "rules.hours",
            "Fri walk-in 09:00-13:00 -> 09:00-12:00; Sat walk-in closed -> 10:00-12:00",
            lead.staff_id,
        ),
        ("rules.target_wait", "15 -> 20 minutes", lead.staff_id),
    ]
    # Closing a day, and a second change, each audited; an unchanged save is not.
    services.rules.save(lead, hours={"walk_in_sat": ""})
    services.rules.set_target_wait(lead, 20)
    assert _audit(services)[-1] == (
        "rules.hours",
        "Sat walk-in 10:00-12:00 -> closed",
        lead.staff_id,
    )
    assert len(_audit(services)) == 3


def test_set_hours_replaces_the_week(services: Services, lead: Actor) -> None:
    week = [Hours(d, time(9), time(17), "walk_in") for d in range(5)]
    saved = services.rules.set_hours(lead, week)
    assert set(saved.hours) == set(week)  # no BSN hours any more
    assert services.appointments.slots(MONDAY) == []
    with pytest.raises(ValidationError, match="outside the BSN appointment hours"):
        services.appointments.book(lead, household())
    # Closed everywhere is a choice too, and it is kept (not the config's hours again).
    assert services.rules.set_hours(lead, []).hours == ()
    assert services.rules.hours() == ()


def test_rejected_input_changes_nothing(services: Services, lead: Actor) -> None:
    cases = [
        ({"walk_in_fri": "25:00-26:00"}, "20", "walk_in_fri"),
        ({"walk_in_fri": "13:00-09:00"}, "20", "walk_in_fri"),
        ({"bsn_appointments_wed": "09:00-12:00, 11:30-13:00"}, "20", "bsn_appointments_wed"),
        ({"walk_in_fri": "09:00-12:00"}, "0", "target_wait"),  # good hours, bad target
        ({"lunch_mon": "12:00-13:00"}, "20", "lunch_mon"),
    ]
    for hours, target, field in cases:
        with pytest.raises(ValidationError) as err:
            services.rules.save(lead, hours=hours, target_wait=target)
        assert err.value.field == field
    with pytest.raises(ValidationError):
        services.rules.set_target_wait(lead, 241)
    with pytest.raises(ValidationError):
        services.rules.set_hours(lead, [Hours(FRI, time(9), time(8), "walk_in")])
    assert _rows(services) == 0 and _audit(services) == []
    assert services.rules.current().hours_changed is None


def test_only_the_lead_may_change_them(services: Services, clerk: Actor, intern: Actor) -> None:
    for actor in (clerk, intern):
        with pytest.raises(PermissionDenied, match="may not change the opening hours"):
            services.rules.save(actor, hours={"walk_in_fri": "09:00-12:00"})
        with pytest.raises(PermissionDenied):
            services.rules.set_target_wait(actor, 20)
        with pytest.raises(PermissionDenied):
            services.rules.set_hours(actor, [])
    assert _rows(services) == 0 and _audit(services) == []
    # Everyone may read them: the desks need the hours.
    assert services.rules.target_wait_minutes() == 15


def test_another_machine_sees_the_change(services: Services, lead: Actor) -> None:
    # A second desk on the same database, with a config file of its own: it reads the
    # config's values until the lead saves, then the database's, without a restart.
    other = make_services(
        services.settings.db_url,
        services.clock,  # type: ignore[arg-type]
        target_wait_minutes=30,
        hours=(Hours(FRI, time(8), time(18), "walk_in"),),
    )
    try:
        assert other.rules.target_wait_minutes() == 30
        assert other.rules.current().day_text("walk_in", FRI) == "08:00-18:00"
        services.rules.save(lead, hours={"walk_in_fri": "09:00-12:00"}, target_wait="20")
        assert other.rules.target_wait_minutes() == 20
        # The whole week is the lead's now, not a mix with this desk's config.
        assert other.rules.hours() == services.rules.hours()
        assert other.rules.current().day_text("walk_in", FRI) == "09:00-12:00"
    finally:
        other.close()


def test_a_row_that_cannot_be_read_falls_back_to_the_config(services: Services) -> None:
    with services.db.write() as session:
        session.add(CentreRule(key="target_wait", value={"minutes": "lots"},
                               updated_at=services.clock.now()))  # fmt: skip
        session.add(CentreRule(key="hours", value=["not", "a", "week"],
                               updated_at=services.clock.now()))  # fmt: skip
    assert services.rules.target_wait_minutes() == 15
    assert set(services.rules.hours()) == set(DEFAULT_HOURS)
    assert services.rules.current().target_wait_minutes == 15


def test_the_first_save_racing_another_is_a_conflict(
    services: Services, lead: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two leads saving for the very first time at once: one insert loses on the key.
    from frontdesk.services import rules as rules_module

    real = rules_module.load_rules

    def someone_else_first(session, settings):  # type: ignore[no-untyped-def]
        found = real(session, settings)
        with services.db.write() as other:
            other.add(CentreRule(key="target_wait", value={"minutes": 25},
                                 updated_at=services.clock.now()))  # fmt: skip
        return found

    if services.db.dialect == "sqlite":
        pytest.skip("SQLite: the write transaction holds the database; no such race")
    monkeypatch.setattr(rules_module, "load_rules", someone_else_first)
    with pytest.raises(Conflict, match="at the same moment"):
        services.rules.set_target_wait(lead, 20)
    monkeypatch.undo()
    assert services.rules.target_wait_minutes() == 25


# -- everything that reads them ---------------------------------------------------------------
def test_appointments_follow_the_new_bsn_hours(services: Services, lead: Actor) -> None:
    # Monday 09:30 is in the configured BSN hours (09:00-12:15)...
    assert time(9, 30) in services.appointments.slots(MONDAY)
    services.rules.save(lead, hours={"bsn_appointments_mon": "13:00-15:00"})
    # ...not any more; 13:00 is.
    with pytest.raises(ValidationError, match="outside the BSN appointment hours") as err:
        services.appointments.book(lead, household(time="09:30"))
    assert err.value.field == "time" and "Mon 13:00-15:00" in err.value.message
    assert services.appointments.slots(MONDAY) == [time(13), time(13, 30), time(14), time(14, 30)]
    ap = services.appointments.book(lead, household(time="13:00"))
    with pytest.raises(ValidationError, match="outside the BSN appointment hours"):
        services.appointments.reschedule(lead, ap.id, MONDAY, "10:00")
    assert services.appointments.reschedule(lead, ap.id, MONDAY, "14:00").status == "booked"


def test_reports_use_the_new_target(services: Services, clerk: Actor, lead: Actor) -> None:
    normal_day(services, clerk, lead)  # waits 0, 5, 10, 20, 30, 40
    f = services.reports.day(lead, DAY)
    assert (f.target_minutes, f.within_target) == (15, pytest.approx(3 / 6))
    services.rules.set_target_wait(lead, 20)
    f = services.reports.day(lead, DAY)
    assert (f.target_minutes, f.within_target) == (20, pytest.approx(4 / 6))
    assert services.reports.dashboard(lead).today.within_target == pytest.approx(4 / 6)
    table = services.reports.period(lead, Period(DAY, DAY)).table("services")
    column = [c.title for c in table.columns].index("Within 20 min")
    assert table.rows[-1][column] == pytest.approx(4 / 6)  # all services
    summary = services.reports.day_report_tables(lead, DAY)[0]
    # 4 of 6, written as the screen shows it
    assert ("Share called within 20 min", "67%") in summary.rows
