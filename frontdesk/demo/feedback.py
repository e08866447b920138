"""Demo data: ratings from the tablets for part of the finished visits in the history.

About four in ten visitors rate; most are content, waiting is the usual complaint. Rows
are written directly so they carry the visit's own time (a minute after it finished).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from frontdesk.db.models import Rating, Ticket
from frontdesk.services.feedback import REASONS

if TYPE_CHECKING:
    from frontdesk.demo.context import DemoContext
    from frontdesk.services import Services

RESPONSE_RATE = 0.4
SCORE_WEIGHTS = (7, 13, 35, 45)  # how often faces 1..4 are tapped, in percent


def feedback_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    rows: list[dict[str, Any]] = []
    with services.db.write() as session:
        finished = session.execute(
            select(Ticket.id, Ticket.desk, Ticket.service_id, Ticket.finished_at)
            .where(Ticket.status == "done", Ticket.finished_at.is_not(None))
            .order_by(Ticket.id)
        ).all()
        for ticket_id, desk, service_id, finished_at in finished:
            if finished_at is None or rng.random() >= RESPONSE_RATE:
                continue
            score = rng.choices((1, 2, 3, 4), weights=SCORE_WEIGHTS)[0]
            reason = None
            if rng.random() < 0.5:
                # Who is unhappy mostly waited too long; who is happy names the people.
                weights = (6, 2, 1, 2) if score <= 2 else (1, 2, 4, 3)
                reason = rng.choices(REASONS, weights=weights)[0]
            rows.append(
                {
                    "ticket_id": ticket_id,
                    "score": score,
                    "reason": reason,
                    "at": finished_at + timedelta(minutes=1),
                    "desk": desk,
                    "service_id": service_id,
                }
            )
        if rows:
            session.execute(insert(Rating), rows)
    ctx.lines.append(f"{len(rows)} ratings after visits")
