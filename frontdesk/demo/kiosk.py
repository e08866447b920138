"""Demo data: the self-service kiosk's tickets in the demo's history.

About one walk-in ticket in five of the demo's days was taken at the kiosk: its "issued"
event names the kiosk's account, and the ticket keeps the language the visitor chose.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from frontdesk.db.models import Ticket, TicketEvent

if TYPE_CHECKING:
    from frontdesk.demo.context import DemoContext
    from frontdesk.services import Services

# How often each language is chosen at the demo's kiosk.
LANGUAGE_MIX = (("en", 0.45), ("nl", 0.2), ("pl", 0.1), ("uk", 0.1), ("es", 0.08), ("zh", 0.07))
KIOSK_SHARE = 0.2


def kiosk_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    kiosk = services.kiosk.account()
    codes = [code for code, _ in LANGUAGE_MIX]
    weights = [weight for _, weight in LANGUAGE_MIX]
    with services.db.write() as session:
        walk_ins = session.scalars(
            select(Ticket.id).where(Ticket.source == "walk_in").order_by(Ticket.id)
        ).all()
        chosen = [ticket_id for ticket_id in walk_ins if rng.random() < KIOSK_SHARE]
        for ticket_id in chosen:
            session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(language=rng.choices(codes, weights)[0])
            )
        if chosen:
            session.execute(
                update(TicketEvent)
                .where(TicketEvent.ticket_id.in_(chosen), TicketEvent.action == "issued")
                .values(staff_id=kiosk.staff_id, desk=None)
            )
    ctx.lines.append(f"{len(chosen)} tickets taken at the kiosk")
