# ruff: noqa: E501  (the CSV data is clearer with one row per line)
"""The import books a chunk's new households together: a person who comes twice is one
visitor, a chunk that mixes stored and new references counts each, and every new
household gets its e-mails, as when booked one by one."""

from __future__ import annotations

from sqlalchemy import func, select

from frontdesk.db.models import Appointment, AppointmentPerson, OutboxMessage, Visitor
from frontdesk.services import Actor, Services
from frontdesk.services.appointments.importer import import_appointments
from tests.helpers import CLEAN, WEDNESDAY

HEADER = "reference,date,time,type,role,given_names,family_name,date_of_birth,nationality,phone,email,employer\n"


def persons_of(services: Services, reference: str) -> list[int]:
    with services.db.read() as session:
        return list(
            session.scalars(
                select(AppointmentPerson.visitor_id)
                .join(Appointment, Appointment.id == AppointmentPerson.appointment_id)
                .where(Appointment.reference == reference)
                .order_by(AppointmentPerson.position)
            )
        )


def test_a_person_in_two_households_of_one_file_is_one_visitor(
    services: Services, clerk: Actor
) -> None:
    data = HEADER + (
        "BK-5001,2026-11-25,09:00,bsn_collection,main,Ines,Vermeulen,1991-05-06,BE,,ines@example.org,\n"
        "BK-5002,2026-11-25,10:00,first_registration,main,Tomas,Novak,1988-03-03,CZ,,,\n"
        "BK-5002,2026-11-25,10:00,first_registration,partner,Ines,Vermeulen,1991-05-06,BE,+31 6 12345678,,\n"
    )
    report = import_appointments(services.appointments, clerk, data.encode())
    assert (report.imported, report.rejected) == (2, 0)
    ines = persons_of(services, "BK-5001")[0]
    assert persons_of(services, "BK-5002")[1] == ines
    with services.db.read() as session:
        rows = session.execute(
            select(Visitor.id, Visitor.phone, Visitor.email).where(
                Visitor.family_name == "Vermeulen"
            )
        ).all()
    # the second row filled in the phone; nothing blanked the e-mail address
    assert [tuple(r) for r in rows] == [(ines, "+31612345678", "ines@example.org")]
    found = services.visitors.search(clerk, "Vermeulen")
    assert [v.id for v in found] == [ines]  # the name search finds the new visitor


def test_a_chunk_of_stored_and_new_references_counts_and_mails_each(
    services: Services, clerk: Actor
) -> None:
    import_appointments(services.appointments, clerk, CLEAN.encode())
    priya = persons_of(services, "BK-1001")[0]
    with services.db.read() as session:
        before = session.scalar(select(func.count()).select_from(OutboxMessage))
    # BK-1001 as it was, and a new household of the same main person
    again = CLEAN.replace(
        "BK-1002,2026-11-25,09:30,first_registration,main,Emily,Carter",
        "BK-3001,2026-11-25,11:30,first_registration,main,Priya,Raghunathan",
    ).replace("1985-02-14,US,,emily@example.org", "1990-04-12,IN,,priya@example.org")
    report = import_appointments(services.appointments, clerk, again.encode())
    assert (report.imported, report.unchanged, report.updated, report.rejected) == (1, 1, 0, 0)
    assert persons_of(services, "BK-3001") == [priya]
    with services.db.read() as session:
        kinds = session.execute(
            select(OutboxMessage.kind, OutboxMessage.to_address)
            .join(Appointment, Appointment.id == OutboxMessage.appointment_id)
            .where(Appointment.reference == "BK-3001")
            .order_by(OutboxMessage.id)
        ).all()
        after = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert [tuple(k) for k in kinds] == [
        ("confirmation", "priya@example.org"),
        ("reminder", "priya@example.org"),
    ]
    assert after == (before or 0) + 2
    new = next(a for a in services.appointments.day(clerk, WEDNESDAY) if a.reference == "BK-3001")
    assert (new.fee_cents, new.employer, len(new.persons)) == (5000, "Naturalis", 1)
