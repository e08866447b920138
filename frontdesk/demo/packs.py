"""The demo's welcome-pack kinds, their stock movements and the packs handed out."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from frontdesk.demo.context import (
    DemoContext,
)
from frontdesk.services import Services


def packs_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    """Three pack kinds, deliveries and a stock-take, and packs handed out over past days.

    Rows are written directly so they can carry past timestamps; the quantities are
    chosen so that stock never dips below zero on any day.
    """
    from frontdesk.db.models import StockMovement
    from frontdesk.services.packs.service import add_kind_row, hand_out

    clock = services.clock
    span = max(ctx.days, 1)
    today = clock.today()
    lead = next((s.id for s in ctx.staff if s.role == "lead"), None)
    desks: list[int | None] = [s.id for s in ctx.staff if s.role in ("desk", "lead")] or [None]

    def moment(days_ago: int, hour: int, minute: int = 0) -> datetime:
        day = today - timedelta(days=days_ago)
        local = datetime.combine(day, time(hour, minute), tzinfo=clock.tz)
        return min(local.astimezone(UTC), clock.now())

    # (code, name, threshold, deliveries (days ago fraction, quantity, note), issues, stock-take)
    plans = (
        (
            "bag",
            "Welcome bag",
            15,
            (
                (1.0, 50, "Gemeente Leiden, order 2026-114"),
                (0.45, 30, "Gemeente Leiden, order 2026-131"),
            ),
            38,
            2,
        ),
        ("student", "Student pack", 10, ((0.95, 20, "Leiden University welcome desk"),), 14, 0),
        ("family", "Family pack", 5, ((0.7, 15, "Stichting Gezin Welkom"),), 4, 0),
    )
    by_category = {"bag": None, "student": "student", "family": "family"}
    used: set[tuple[str, int]] = set()
    with services.db.write() as session:
        for code, name, threshold, deliveries, issues, lost in plans:
            kind = add_kind_row(session, code, name, threshold, moment(span, 8))
            for share, quantity, note in deliveries:
                session.add(
                    StockMovement(
                        pack_type_id=kind.id,
                        quantity=quantity,
                        reason="received",
                        note=note,
                        staff_id=lead,
                        at=moment(round(span * share), 8, 30),
                    )
                )
            if lost:
                session.add(
                    StockMovement(
                        pack_type_id=kind.id,
                        quantity=-lost,
                        reason="correction",
                        note="stock-take: bags damaged in the storeroom",
                        staff_id=lead,
                        at=moment(round(span * 0.3), 17),
                    )
                )
            first = round(span * max(d[0] for d in deliveries))
            wanted = by_category[code]
            pool = [v for v in ctx.visitors if wanted is None or v.category == wanted]
            if len(pool) < issues:
                pool = list(ctx.visitors)
            people = rng.sample(pool, min(issues, len(pool)))
            for i, person in enumerate(people):
                # Spread over the days after the first delivery, in desk hours.
                days_ago = max(first - 1 - (i * max(first - 1, 0)) // max(len(people), 1), 0)
                weekday = (today - timedelta(days=days_ago)).weekday()
                if weekday >= 5:  # the centre is closed at weekends: the Monday after
                    later = days_ago - (7 - weekday)
                    days_ago = later if later >= 0 else days_ago + (weekday - 4)
                at = moment(days_ago, rng.randint(9, 15), rng.randrange(0, 60, 5))
                hand_out(session, kind.id, person.id, rng.choice(desks), at)
                used.add((code, person.id))
    low = ", ".join(k.name for k in services.packs.low_stock()) or "none"
    ctx.lines.append(f"3 pack kinds, {len(used)} packs handed out (low stock: {low})")


# Where the demo's morning stands on its day: this long after the doors opened.
