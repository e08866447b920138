"""The demo's staff accounts, the centre's rules and the visitors."""

from __future__ import annotations

import random
from datetime import time

from sqlalchemy import func, select

from frontdesk.db.models import Staff
from frontdesk.demo.context import (
    DEMO_PEOPLE,
    DEMO_PINS,
    DEMO_STAFF,
    EMPLOYERS,
    MUNICIPALITIES,
    DemoContext,
)
from frontdesk.services import Actor, Services
from frontdesk.services.errors import ValidationError
from frontdesk.services.security import hash_pin
from frontdesk.services.staff import StaffInfo, add_account
from frontdesk.services.text import fold
from frontdesk.services.visitors import (
    CATEGORIES,
    VisitorInput,
    check_visitor,
    to_record,
)


def staff_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    with services.db.write() as session:
        if session.scalar(select(func.count()).select_from(Staff)):
            raise ValidationError(
                "db", "this database already has data; demo data goes only into an empty database"
            )
        for name, role, pin in DEMO_STAFF:
            row = add_account(session, name, role, hash_pin(pin), services.clock.now())
            ctx.staff.append(StaffInfo(row.id, row.name, row.role, True))
    ctx.lines.append(
        f"{len(DEMO_STAFF)} staff (PINs: "
        + ", ".join(f"{n} {p}" for n, p in DEMO_PINS.items())
        + ")"
    )


def rules_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    """The lead has given Tuesday's walk-in hours a lunch break (audited), so the lead
    screen shows hours the lead set; the queue and the appointment book follow them."""
    lead = next(s for s in ctx.staff if s.role == "lead")
    actor = Actor(lead.id, lead.name, lead.role, None, "demo")
    lunch_start, lunch_end = time(12, 30), time(13, 30)
    blocks = []
    for block in services.rules.current().blocks("walk_in", 1):
        if block.start < lunch_start and lunch_end < block.end:
            blocks += [(block.start, lunch_start), (lunch_end, block.end)]
        else:
            blocks.append((block.start, block.end))
    typed = ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in blocks)
    saved = services.rules.save(actor, hours={"walk_in_tue": typed})
    if saved.hours_changed is not None:
        ctx.lines.append(f"opening hours set by the lead (Tuesday walk-in {typed})")


def visitor_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    today = services.clock.today()
    categories = list(CATEGORIES)
    with services.db.write() as session:
        for i in range(160):
            given, family, nationality, phone, language = DEMO_PEOPLE[i % len(DEMO_PEOPLE)]
            if i >= len(DEMO_PEOPLE):  # more people from the same countries, new given names
                donor = DEMO_PEOPLE[rng.randrange(len(DEMO_PEOPLE))]
                if donor[2] == nationality:
                    given = donor[0]
                phone = ""
            born = today.replace(year=today.year - rng.randint(19, 58), day=rng.randint(1, 28))
            email = (
                f"{fold(given).split()[0]}.{i}@example.org"
                if fold(given).isascii() and rng.random() < 0.7
                else None
            )
            data = VisitorInput(
                given_names=given,
                family_name=family,
                birth_date=born,
                nationality=nationality,
                phone=phone or None,
                email=email,
                category=rng.choice(categories[:-1]) if rng.random() < 0.9 else "other",
                employer=rng.choice(EMPLOYERS),
                municipality=rng.choice(MUNICIPALITIES),
                language=language,
            )
            row = services.visitors.create_in(session, check_visitor(data, today))
            ctx.visitors.append(to_record(row))
    ctx.lines.append(
        f"{len(ctx.visitors)} visitors from {len({p[2] for p in DEMO_PEOPLE})} countries"
    )


# (name, category, contact, languages) -- all fictitious; e-mail and web on example.* domains.
