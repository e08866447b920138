"""Demo data for merging and appointment rules: Zoë Ødegård registered five times (one
woman, typed again at several desks), two households a BSN slot, and the lead's list of
employer spellings. All fictitious."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sqlalchemy import select

from frontdesk.db.models import Visitor
from frontdesk.services.auth import Actor
from frontdesk.services.employers import parse_aliases
from frontdesk.services.visitors import VisitorInput, check_visitor, write_name_tokens

if TYPE_CHECKING:
    from frontdesk.demo.context import DemoContext
    from frontdesk.services import Services

DEMO_CAPACITY = 2
DEMO_EMPLOYER_ALIASES = """\
Universiteit Leiden = Leiden University
Leiden Univ. = Leiden University
Leids Universitair Medisch Centrum = LUMC
ESA/ESTEC = ESA ESTEC
European Space Agency = ESA ESTEC
Hogeschool Leiden (HSL) = Hogeschool Leiden
"""


def merge_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    lead = next(s for s in ctx.staff if s.role == "lead")
    actor = Actor(lead.id, lead.name, lead.role, None, "demo")
    services.capacity.set_capacity(actor, DEMO_CAPACITY)
    services.employers.save_aliases(actor, parse_aliases(DEMO_EMPLOYER_ALIASES))
    with services.db.write() as session:
        zoes = list(
            session.scalars(
                select(Visitor).where(Visitor.search_key == "zoe odegard").order_by(Visitor.id)
            )
        )
        if not zoes:
            return
        born = zoes[0].birth_date
        for i, row in enumerate(zoes[1:], start=1):
            row.birth_date = None if i == 2 else born  # one desk did not ask her birthday
        for _ in range(5 - len(zoes)):  # and once typed without the accents
            values = check_visitor(
                VisitorInput("Zoe", "Odegard", born, "NO", email="zoe.o@example.org"),
                services.clock.today(),
            )
            services.visitors.create_in(session, values)
        session.flush()
        for row in zoes:
            write_name_tokens(session, row)
    ctx.lines.append(
        f"Zoë Ødegård registered 5 times (Ctrl+U on the lead screen); {DEMO_CAPACITY} "
        "households a BSN slot; employer spellings"
    )
