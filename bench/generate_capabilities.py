"""The decade dataset's capabilities beyond the queue: BSN appointments, partners and
referrals, welcome packs (bench/generate.py calls :data:`FILLERS` with one :class:`Fill`)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Table, insert

from frontdesk.clock import Clock
from frontdesk.services.text import fold

if TYPE_CHECKING:
    from bench.generate import Sizes


def chunks(rows: Iterator[dict[str, Any]], size: int = 10_000) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Fill(NamedTuple):
    """What each table group's filler works with: the connection, the tables, the random
    source, the sizes, the days of the decade, the staff ids, the clock and now."""

    conn: Any
    tables: dict[str, Table]
    rng: random.Random
    size: Sizes
    days: list[date]
    staff: list[int]
    clock: Clock
    now: datetime


def _local(day: date, hour: int, minute: int, clock: Clock) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.tz).astimezone(UTC)


def _insert(conn: Any, table: Table, rows: Iterator[dict[str, Any]]) -> None:
    for batch in chunks(rows):
        conn.execute(insert(table), batch)


def _appointments(fill: Fill) -> dict[str, int]:
    """BSN appointments over the decade (and the weeks ahead): households of one to five."""
    conn, tables, rng, size, days, staff, clock, now = fill
    today = now.astimezone(clock.tz).date()
    ahead = [
        today + timedelta(days=i) for i in range(1, 43) if (today + timedelta(i)).weekday() < 5
    ]
    persons: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1, size.appointments + 1):
            future = rng.random() < 0.03
            day = rng.choice(ahead if future else days)
            start = _local(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)), clock)
            kind = rng.choices(KINDS, weights=(6, 3, 1))[0]
            if future:
                status = "booked"
            else:
                status = rng.choices(
                    ("completed", "no_show", "cancelled", "rejected_missing_documents"),
                    weights=(85, 6, 6, 3),
                )[0]
            done = status in ("completed", "rejected_missing_documents")
            household = rng.choices((1, 2, 3, 4, 5), weights=(55, 20, 12, 9, 4))[0]
            fee = 0 if rng.random() < 0.6 else 7500
            for position in range(household):
                relation = "main" if position == 0 else ("partner" if position == 1 else "child")
                persons.append(
                    {
                        "appointment_id": i,
                        "visitor_id": rng.randint(1, size.visitors),
                        "relation": relation,
                        "position": position,
                        "married": household > 1 and position < 2,
                        "fee_cents": fee,
                        "documents": "id,address,birth" if done else "",
                        "bsn_outcome": (
                            rng.choice(BSN_OUTCOMES) if status == "completed" else None
                        ),
                        "bsn": None,
                        "welcome_bag": status == "completed" and rng.random() < 0.5,
                    }
                )
            who = rng.choice(staff)
            booked_at = start - timedelta(days=rng.randint(3, 40))
            events.append(
                {
                    "appointment_id": i,
                    "at": booked_at,
                    "action": "booked",
                    "status": "booked",
                    "staff_id": who,
                    "detail": None,
                }
            )
            if status != "booked":
                events.append(
                    {
                        "appointment_id": i,
                        "at": start + timedelta(minutes=30),
                        "action": status,
                        "status": status,
                        "staff_id": who,
                        "detail": None,
                    }
                )
            yield {
                "id": i,
                "reference": f"BK{i:07d}" if rng.random() < 0.7 else None,
                "kind": kind,
                "day": day,
                "start_at": start,
                "minutes": 15 * household,
                "employer": None if fee == 0 else "Bench Employer BV",
                "fee_cents": fee * household,
                "status": status,
                "ticket_id": None,
                "arrived_at": start - timedelta(minutes=5) if done else None,
                "started_at": start if done else None,
                "finished_at": start + timedelta(minutes=15 * household) if done else None,
                "letter_collected_at": None,
                "bring_next_time": None,
                "notes": None,
                "created_at": booked_at,
                "updated_at": booked_at,
            }

    _insert(conn, tables["appointments"], rows())
    _insert(conn, tables["appointment_persons"], iter(persons))
    _insert(conn, tables["appointment_events"], iter(events))
    return {"appointments": size.appointments, "appointment_persons": len(persons)}


KINDS = ("first_registration", "bsn_collection", "other")
BSN_OUTCOMES = ("issued", "by_post")
PARTNER_CATEGORIES = (
    "housing",
    "language",
    "legal",
    "health",
    "work",
    "education",
    "family",
    "social",
)
REFERRAL_OUTCOMES = (
    "got_help",
    "no_capacity",
    "not_eligible",
    "could_not_contact",
    "no_longer_interested",
    "other",
)


def _referrals(fill: Fill) -> dict[str, int]:
    """Partners, and referrals to them with their history (most closed, some still open)."""
    conn, tables, rng, size, days, staff, clock, now = fill
    first = _local(days[0], 8, 0, clock)
    partners = [
        {
            "id": i,
            "name": f"Bench Partner {i:03d}",
            "name_key": f"bench partner {i:03d}",
            "category": PARTNER_CATEGORIES[i % len(PARTNER_CATEGORIES)],
            "contact": None,
            "email": f"partner{i}@example.org",
            "phone": None,
            "website": None,
            "languages": "Dutch, English",
            "notes": None,
            "active": rng.random() < 0.9,
            "created_at": first,
            "updated_at": first,
        }
        for i in range(1, size.partners + 1)
    ]
    _insert(conn, tables["partners"], iter(partners))
    events: list[dict[str, Any]] = []
    path = ("new", "assigned", "contacted", "accepted", "closed")

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1, size.referrals + 1):
            day = rng.choice(days)
            created = _local(day, rng.randint(9, 16), rng.randint(0, 59), clock)
            recent = (now - created).days < 60
            steps = rng.randint(1, 4) if recent else 5
            status = path[steps - 1]
            who = rng.choice(staff)
            at = created
            for n in range(steps):
                events.append(
                    {
                        "referral_id": i,
                        "at": at,
                        "staff_id": who,
                        "from_status": path[n - 1] if n else None,
                        "to_status": path[n],
                        "note": None,
                    }
                )
                at += timedelta(days=rng.randint(1, 6))
            closed = status == "closed"
            yield {
                "id": i,
                "visitor_id": rng.randint(1, size.visitors),
                "partner_id": rng.randint(1, size.partners),
                "reason": "Needs help the centre cannot give",
                "consent_given": True,
                "consent_how": rng.choice(("verbal", "written", "email")),
                "consent_at": created,
                "consent_by_id": who,
                "status": status,
                "assignee_id": who if steps > 1 else None,
                "follow_up_on": (created + timedelta(days=14)).date() if not closed else None,
                "outcome": rng.choice(REFERRAL_OUTCOMES) if closed else None,
                "outcome_text": None,
                "outcome_at": at if closed else None,
                "created_by_id": who,
                "created_at": created,
                "updated_at": at,
            }

    _insert(conn, tables["referrals"], rows())
    _insert(conn, tables["referral_events"], iter(events))
    return {"partners": size.partners, "referrals": size.referrals}


def _packs(fill: Fill) -> dict[str, int]:
    """Three kinds of pack; deliveries every month; every issue with its stock movement."""
    conn, tables, rng, size, days, staff, clock, _now = fill
    first = _local(days[0], 8, 0, clock)
    kinds = [("bag", "Welcome bag"), ("student", "Student pack"), ("family", "Family pack")]
    _insert(
        conn,
        tables["pack_types"],
        iter(
            {
                "id": i,
                "code": code,
                "name": name,
                "name_key": fold(name),
                "low_threshold": 10,
                "active": True,
                "created_at": first,
            }
            for i, (code, name) in enumerate(kinds, 1)
        ),
    )
    per_kind = size.packs // len(kinds) + 1
    movements: list[dict[str, Any]] = []
    months = sorted({d.replace(day=1) for d in days})
    for kind in range(1, len(kinds) + 1):
        for month in months:
            movements.append(
                {
                    "pack_type_id": kind,
                    "quantity": per_kind // len(months) + 5,
                    "reason": "received",
                    "note": "monthly delivery",
                    "staff_id": staff[0],
                    "at": _local(month, 8, 30, clock),
                }
            )
    issues: list[dict[str, Any]] = []
    for i in range(size.packs):
        kind = i % len(kinds) + 1
        day = rng.choice(days)
        at = _local(day, rng.randint(9, 16), rng.randint(0, 59), clock)
        who = rng.choice(staff)
        movements.append(
            {
                "pack_type_id": kind,
                "quantity": -1,
                "reason": "issue",
                "note": None,
                "staff_id": who,
                "at": at,
            }
        )
        issues.append(
            {
                "pack_type_id": kind,
                "visitor_id": rng.randint(1, size.visitors),
                "staff_id": who,
                "at": at,
                "override_reason": None,
                "movement_id": len(movements),
            }
        )
    for movement_id, movement in enumerate(movements, 1):
        movement["id"] = movement_id
    _insert(conn, tables["stock_movements"], iter(movements))
    _insert(conn, tables["pack_issues"], iter(issues))
    return {"pack_issues": size.packs}


FILLERS = (_appointments, _referrals, _packs)
