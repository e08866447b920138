"""Capacity and employer names where they act: the booking form, moving, the import, the
invoices (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.services import Actor, Services, ValidationError
from frontdesk.services.appointments.importer import import_appointments
from tests.helpers import household, ready_to_complete

HEADER = (
    "reference,date,time,type,role,given_names,family_name,date_of_birth,nationality,employer\n"
)


def _row(ref: str, time: str, given: str, employer: str = "") -> str:
    person = f"main,{given},Importova,1990-01-01,PL,{employer}"
    return f"{ref},2026-11-25,{time},first_registration,{person}\n"


def test_a_full_slot_is_refused_with_the_next_free_one(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    first = services.appointments.book(clerk, household(time="09:30", partner=False))
    second = services.appointments.book(clerk, household(time="09:30", partner=False, children=0))
    services.capacity.set_capacity(lead, 2)
    with pytest.raises(ValidationError) as full:
        services.appointments.book(clerk, household(time="09:30", children=0, partner=False))
    assert full.value.field == "time"
    assert full.value.message == (
        "this slot is full (2 households, room for 2); the next free slot is Mon 23-11-2026 10:00"
    )
    # An appointment of 30 minutes at 09:15 overlaps 09:30 too; "other" takes no BSN desk.
    with pytest.raises(ValidationError):
        services.appointments.book(clerk, household(time="09:15", children=0, partner=False))
    services.appointments.book(clerk, household(time="09:30", kind="other", partner=False))
    # Changing a booking in its own slot is fine; moving another one into it is not.
    services.appointments.update(clerk, first.id, household(time="09:30", partner=False))
    third = services.appointments.book(clerk, household(time="10:00", children=0, partner=False))
    with pytest.raises(ValidationError, match="the nearest free slot is Mon 23-11-2026 10:00"):
        services.appointments.reschedule(clerk, third.id, "2026-11-23", "09:30")
    # A cancelled household frees its place.
    services.appointments.cancel(clerk, second.id, "moved to Delft")
    services.appointments.reschedule(clerk, third.id, "2026-11-23", "09:30")


def test_the_next_free_slot_may_be_another_day(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    services.capacity.set_capacity(lead, 1)
    for time in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30"):
        services.appointments.book(clerk, household(time=time, partner=False, children=0))
    with pytest.raises(ValidationError) as full:
        services.appointments.book(clerk, household(time="10:00", partner=False, children=0))
    # Monday 09:00-12:15 is full; Wednesday's BSN hours start at 09:00.
    assert full.value.message.endswith("the next free slot is Wed 25-11-2026 09:00")


def test_the_import_books_but_warns_over_capacity(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    services.capacity.set_capacity(lead, 2)
    services.appointments.book(
        clerk, household(day="2026-11-25", time="09:00", partner=False, children=0)
    )
    data = (
        HEADER
        + _row("BK-1", "09:00", "Anna")
        + _row("BK-2", "09:00", "Bogna")
        + _row("BK-3", "09:30", "Celina")
    ).encode()
    dry = import_appointments(services.appointments, clerk, data, dry_run=True)
    warning = (
        "line 3: the slot of Wed 25-11-2026 09:00 is over capacity (3 households, room "
        "for 2); the next free slot is Wed 25-11-2026 09:30"
    )
    assert dry.warnings == [warning]
    assert dry.imported == 3 and dry.rejected == 0
    report = import_appointments(services.appointments, clerk, data)
    assert report.imported == 3 and report.warnings == [warning]
    assert "1 warning" in report.summary
    again = import_appointments(services.appointments, clerk, data)
    assert again.unchanged == 3 and again.warnings == []


def test_employer_names_apply_in_the_form_the_import_and_the_invoices(
    services: Services, clerk: Actor, lead: Actor, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    # Booked before the lead's list existed: the invoices still count it under the name.
    early = services.appointments.book(
        clerk, household(employer="Universiteit  Leiden", time="09:00", children=0)
    )
    assert early.employer == "Universiteit Leiden"
    services.employers.save(lead, "Universiteit Leiden = Leiden University\nLeids UMC = LUMC")
    later = services.appointments.book(
        clerk, household(employer="universiteit leiden", time="09:30", children=0)
    )
    assert later.employer == "Leiden University"
    assert services.visitors.get(clerk, later.persons[0].visitor_id).employer == (
        "Leiden University"
    )
    data = (HEADER + _row("BK-9", "10:00", "Dorota", "LEIDS umc")).encode()
    import_appointments(services.appointments, clerk, data)
    imported = next(
        a for a in services.appointments.day(clerk, later.day.replace(day=25)) if a.reference
    )
    assert imported.employer == "LUMC"

    for ap in (early, later):
        services.appointments.check_in(clerk, ap.id)
        services.appointments.start(clerk, ap.id)
        ready_to_complete(services, clerk, ap.id)
        services.appointments.complete(clerk, ap.id)
    lines = services.appointments.invoices(lead, "2026Q4")
    assert {line.employer for line in lines} == {"Leiden University"}
    assert len(lines) == 4
    out = tmp_path / "q4.xlsx"
    services.appointments.export_invoices(lead, "2026Q4", "xlsx", out)
    book = load_workbook(out)
    totals = [[c.value for c in row] for row in book["Totals per employer"].iter_rows()]
    assert totals == [["employer", "persons", "total_eur"], ["Leiden University", 4, 150.0]]
    csv_out = tmp_path / "q4.csv"
    services.appointments.export_invoices(lead, "2026Q4", "csv", csv_out)
    text = csv_out.read_text(encoding="utf-8-sig")
    assert text.rstrip().splitlines()[-2:] == [
        "Totals per employer,persons,total_eur",
        "Leiden University,4,150.00",
    ]
