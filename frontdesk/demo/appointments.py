"""The demo's BSN appointments: the book of the days around today, in every state."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from frontdesk.demo.context import (
    DemoContext,
)
from frontdesk.services import Actor, Services
from frontdesk.services.appointments import PersonInput
from frontdesk.services.visitors import (
    VisitorInput,
    VisitorRecord,
)

# -- BSN appointments ---------------------------------------------------------------------
CHILD_NAMES = ("Mila", "Noor", "Sem", "Yara", "Luca", "Aiko", "Omar", "Ines", "Ravi", "Lena")


def appointments_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    """Appointments in the BSN hours: past weeks done (some no-show, some rejected),
    today's partly served, the coming week booked. Fictitious BSNs are not stored."""

    from frontdesk.db.models import Appointment, AppointmentEvent, AppointmentPerson
    from frontdesk.services.appointments import AppointmentInput, bring_next_time_text

    service = services.appointments
    clock = services.clock
    today, now = clock.today(), clock.now()
    desk = next(s for s in ctx.staff if s.role == "desk")
    actor = Actor(desk.id, desk.name, desk.role, 1, "demo")
    adults = [v for v in ctx.visitors if v.birth_date is not None]
    rng.shuffle(adults)
    made = 0
    with services.db.write() as session:
        for offset in range(-min(ctx.days, 28), 8):
            day = today + timedelta(days=offset)
            for slot in service.slots(day):
                if not adults or rng.random() > (0.75 if offset < 0 else 0.6):
                    continue
                main = adults.pop()
                people = [demo_person("main", main, married=rng.random() < 0.4)]
                if people[0].married and adults and rng.random() < 0.7:
                    people.append(demo_person("partner", adults.pop(), married=True))
                    for _ in range(rng.choice((0, 0, 1, 2))):
                        born = today.replace(year=today.year - rng.randint(1, 15))
                        people.append(
                            PersonInput(
                                "child",
                                VisitorInput(
                                    rng.choice(CHILD_NAMES),
                                    main.family_name,
                                    born,
                                    main.nationality,
                                ),
                            )
                        )
                kind = "bsn_collection" if rng.random() < 0.12 else "first_registration"
                checked = service.check(
                    AppointmentInput(
                        kind=kind,
                        day=day,
                        time=slot,
                        employer=main.employer,
                        reference=f"BK-{day:%y%m%d}-{slot:%H%M}",
                        people=tuple(people),
                    )
                )
                ap = service.book_in(session, actor, checked)
                made += 1
                end = ap.start_at + timedelta(minutes=ap.minutes)
                if end > now:
                    continue  # booked: today's later slots and the coming week
                roll = rng.random()
                persons = list(
                    session.scalars(
                        select(AppointmentPerson).where(AppointmentPerson.appointment_id == ap.id)
                    )
                )
                info = service._info(session, ap)
                arrived = ap.start_at + timedelta(minutes=rng.randint(-10, 12))
                if roll < 0.1:
                    steps = [("no_show", ap.start_at + timedelta(minutes=20))]
                else:
                    steps = [
                        ("checked_in", arrived),
                        ("in_progress", arrived + timedelta(minutes=rng.randint(2, 15))),
                    ]
                    ap.arrived_at, ap.started_at = steps[0][1], steps[1][1]
                    done_at = ap.started_at + timedelta(minutes=rng.randint(15, 35))
                    ap.finished_at = done_at
                    for row, person in zip(persons, info.persons, strict=False):
                        row.documents = ",".join(d.code for d in person.documents)
                    if roll < 0.2 and persons:
                        persons[0].documents = "id"
                        ap.bring_next_time = bring_next_time_text(service._info(session, ap))
                        steps.append(("rejected_missing_documents", done_at))
                    else:
                        for row in persons:
                            if kind == "first_registration":
                                row.bsn_outcome = "issued" if rng.random() < 0.85 else "by_post"
                                row.welcome_bag = True
                        if kind == "bsn_collection":
                            ap.letter_collected_at = done_at
                        steps.append(("completed", done_at))
                for status, at in steps:
                    ap.status = status
                    session.add(
                        AppointmentEvent(
                            appointment_id=ap.id,
                            at=at,
                            action=status,
                            status=status,
                            staff_id=desk.id,
                        )
                    )
                ap.updated_at = steps[-1][1]
                session.flush()
        session.flush()
        # Today: the household whose slot is running now has just been checked in.
        current = session.scalars(
            select(Appointment).where(
                Appointment.day == today,
                Appointment.status == "booked",
                Appointment.start_at <= now + timedelta(minutes=30),
            )
        ).first()
    if current is not None:
        service.check_in(actor, current.id)
    ctx.lines.append(f"{made} BSN appointments (past 4 weeks, today, next week)")


def demo_person(relation: str, visitor: VisitorRecord, *, married: bool) -> PersonInput:
    return PersonInput(
        relation,
        VisitorInput(
            visitor.given_names, visitor.family_name, visitor.birth_date, visitor.nationality
        ),
        visitor_id=visitor.id,
        married=married,
    )
