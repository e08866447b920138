"""A deterministic "decade" dataset for the benchmarks.

    python -m bench.generate --db sqlite:///bench/decade.sqlite3 [--scale 1.0]

Ten years of opening days: 100,000 visitors with names from many scripts and countries,
400,000 tickets with their events, 1,000,000 audit events, contacts, and today's queue
mid-morning. ``--scale 0.01`` makes a small copy for the smoke run. Rows go in with bulk
Core inserts (no ORM objects), so a full decade takes well under the 10-minute budget.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import Table, insert, select

from bench.generate_capabilities import FILLERS, Fill, _local, chunks
from frontdesk.clock import Clock
from frontdesk.config import Hours, Settings
from frontdesk.db import Database
from frontdesk.db.migrate import upgrade
from frontdesk.db.models import (
    Appointment,
    AppointmentEvent,
    AppointmentPerson,
    AuditEvent,
    ContactMoment,
    PackIssue,
    PackType,
    Partner,
    Referral,
    ReferralEvent,
    Service,
    Staff,
    StockMovement,
    Ticket,
    TicketCounter,
    TicketEvent,
    Visitor,
    VisitorNameToken,
)
from frontdesk.services import Services
from frontdesk.services.security import hash_pin
from frontdesk.services.staff import add_account
from frontdesk.services.text import fold
from frontdesk.services.visitors import name_tokens

FULL = {
    "visitors": 100_000,
    "tickets": 400_000,
    "audit": 1_000_000,
    "contacts": 60_000,
    "appointments": 40_000,
    "partners": 300,
    "referrals": 30_000,
    "packs": 60_000,
}
BENCH_PIN = "1234"

GIVEN = [
    "Zoë",
    "Łukasz",
    "Nguyễn Thị",
    "محمد",
    "王",
    "Priya",
    "Emily",
    "Olena",
    "Sofía",
    "João",
    "Ayşe",
    "Kenji",
    "Min-jun",
    "Amara",
    "Dawit",
    "Hannah",
    "Élodie",
    "Андрей",
    "Νίκος",
    "Fatima",
    "Siddharth",
    "Chloé",
    "Mateusz",
    "Ana",
    "Tomás",
    "Lina",
    "Rahel",
    "Wei",
    "Noah",
    "Olivia",
    "Ahmed",
    "Yuki",
    "Carlos",
    "Aarav",
    "Eva",
    "Mikkel",
    "Saoirse",
    "Björn",
    "Søren",
    "Ömer",
    "Ngozi",
    "Thabo",
    "Ivana",
    "Dragan",
    "Leilani",
    "Mei",
]
FAMILY = [
    "Ødegård",
    "Kowalczyk",
    "Lan",
    "العلي",
    "芳",
    "Raghunathan",
    "Carter",
    "Shevchenko",
    "Martínez García",
    "Gonçalves",
    "Yılmaz",
    "Tanaka",
    "Kim",
    "Okafor",
    "Bekele",
    "Müller",
    "Lefèvre",
    "Смирнов",
    "Παπαδόπουλος",
    "Benali",
    "Iyer",
    "Dubois",
    "Wiśniewski",
    "Popescu",
    "Ó Briain",
    "Haddad",
    "Tesfaye",
    "Zhang",
    "Williams",
    "Brown",
    "Hassan",
    "Sato",
    "Hernández",
    "Sharma",
    "Novák",
    "Sørensen",
    "Nic Giolla",
    "Jansen",
    "de Vries",
]
COUNTRIES = [
    "NL",
    "DE",
    "PL",
    "IN",
    "CN",
    "US",
    "GB",
    "IT",
    "ES",
    "FR",
    "TR",
    "UA",
    "SY",
    "BR",
    "JP",
    "KR",
    "NG",
    "ET",
    "RU",
    "GR",
    "MA",
    "BE",
    "RO",
    "IE",
    "EG",
    "MX",
]
CATEGORIES = [
    "knowledge_migrant",
    "researcher",
    "student",
    "migrant_worker",
    "refugee",
    "family",
    "other",
]


# Syllables per script: names are built from two or three of them, so a four-letter
# fragment of a family name matches a realistic handful of visitors, not thousands.
def _words(text: str) -> list[str]:
    return text.split()


SYLLABLES: dict[str, list[str]] = {
    "latin": _words(
        "an ba ber ci da de dor el fa ga go han ja ka ko la lin ma mi mo na ne no ol pa "
        "ra ri ro sa se si ta te to va vi wa ya za zo sö lé mü ła øy ça ña şe ão år"
    ),
    "cyrillic": _words("ан бо ва ге ди ев жу за ин ко ла ми на ов пе ро са ти уш фе ха цо чу шк"),
    "greek": _words("αν βα γε δη ελ ζω θε ιο κα λα μα νι ξε ου πα ρο σα τα φι χα"),
    "arabic": _words("ال با تو جا حم خا دي رو زا سا شر عب فا قا كر لي مح نو ها يو"),
    "cjk": _words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 谢 宋"),
    "devanagari": _words("अ रा वि शा कु मा प्र दे सु नि ग ल"),
}
SCRIPT_WEIGHTS = {
    "latin": 70,
    "cyrillic": 8,
    "greek": 3,
    "arabic": 8,
    "cjk": 7,
    "devanagari": 4,
}


def letter_tag(n: int) -> str:
    """A number as letters (0 -> "A", 25 -> "Z", 26 -> "Ba"...), for names that must tell
    workers or rows apart: names refuse digits. Deterministic, one tag per number."""
    letters = ""
    while True:
        n, r = divmod(n, 26)
        letters = chr(ord("a") + r) + letters
        if n == 0:
            return letters.capitalize()


def _made_name(rng: random.Random, script: str, parts: int) -> str:
    word = "".join(rng.choice(SYLLABLES[script]) for _ in range(parts))
    return word[:1].upper() + word[1:] if script in ("latin", "cyrillic", "greek") else word


def visitor_name(rng: random.Random) -> tuple[str, str]:
    """A (given, family) pair: real names mixed with made ones, across scripts."""
    script = rng.choices(list(SCRIPT_WEIGHTS), weights=list(SCRIPT_WEIGHTS.values()))[0]
    parts = 1 if script == "cjk" else 2
    given = rng.choice(GIVEN) if rng.random() < 0.5 else _made_name(rng, script, parts)
    if rng.random() < 0.15:
        family = rng.choice(FAMILY)
    else:
        family = _made_name(rng, script, 2 if script == "cjk" else rng.choice((2, 3, 3)))
    return given, family


@dataclass(frozen=True)
class Sizes:
    visitors: int
    tickets: int
    audit: int
    contacts: int
    appointments: int
    partners: int
    referrals: int
    packs: int


# (action, object type, weight) of the generated audit events.
_AUDIT = [
    ("login", None, 400),
    ("bsn.reveal", "appointment_person", 150),
    ("bsn.record", "appointment_person", 120),
    ("referral.create", "referral", 100),
    ("referral.export", "report", 10),
    ("day.close", "day", 40),
    ("report.export", "report", 20),
    ("export.invoices", "quarter", 5),
    ("privacy.export", "visitor", 10),
    ("privacy.erase", "visitor", 5),
    ("privacy.purge", None, 2),
    ("login.lockout", "staff", 5),
    ("unlock", "staff", 5),
    ("staff.add", "staff", 2),
    ("staff.reset_pin", "staff", 3),
    ("staff.change_role", "staff", 1),
    ("staff.deactivate", "staff", 1),
    ("partner.update", "partner", 4),
    ("partner.add", "partner", 2),
    ("pack.correct", "pack_type", 6),
    ("pack.bring_back", "pack_type", 4),
    ("rules.hours", "centre_rules", 1),
    ("service.update", "service", 1),
    ("day.reopen", "day", 2),
]
AUDIT_KINDS = [(a, o, w) for a, o, w in _AUDIT]
AUDIT_WEIGHTS = [w for _, _, w in _AUDIT]


def sizes(scale: float) -> Sizes:
    return Sizes(*(max(10, int(FULL[k] * scale)) for k in FULL))


def opening_days(today: date, years: int = 10) -> list[date]:
    start = today - timedelta(days=365 * years)
    return [
        start + timedelta(days=i)
        for i in range((today - start).days)
        if (start + timedelta(days=i)).weekday() < 5
    ]


def generate(
    url: str, scale: float = 1.0, seed: int = 10, now: datetime | None = None
) -> dict[str, int]:
    rng = random.Random(seed)
    size = sizes(scale)
    db = Database(url)
    upgrade(db)
    clock = Clock("Europe/Amsterdam")
    now = now or clock.now()
    today = now.astimezone(clock.tz).date()
    services = Services(db, Settings(db_url=url), clock)
    services.start()
    tables: dict[str, Table] = {
        m.__tablename__: m.__table__
        for m in (  # type: ignore[misc]
            Visitor,
            VisitorNameToken,
            Ticket,
            TicketEvent,
            AuditEvent,
            ContactMoment,
            TicketCounter,
            Appointment,
            AppointmentPerson,
            AppointmentEvent,
            Partner,
            Referral,
            ReferralEvent,
            PackType,
            StockMovement,
            PackIssue,
        )
    }
    with db.engine.begin() as conn:
        if conn.execute(select(Staff.id).limit(1)).first() is not None:
            raise SystemExit("the benchmark database must be empty")
    pin_hash = hash_pin(BENCH_PIN)
    with db.write() as session:
        staff = []
        for i in range(12):
            role = "lead" if i == 0 else ("intern" if i > 9 else "desk")
            staff.append(add_account(session, f"Bench Staff {i:02d}", role, pin_hash, now).id)
        service_rows = list(session.scalars(select(Service)))
    service_ids = [s.id for s in service_rows]
    prefixes = {s.id: s.prefix for s in service_rows}
    counts: dict[str, int] = {}

    tokens: list[dict[str, Any]] = []

    def visitors() -> Iterator[dict[str, Any]]:
        for i in range(size.visitors):
            given, family = visitor_name(rng)
            born = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
            created = now - timedelta(days=rng.randint(0, 3650))
            tokens.extend(
                {"token": t, "visitor_id": i + 1, "visitor_updated_at": created}
                for t in name_tokens(f"{given} {family}")
            )
            yield {
                "given_names": given,
                "family_name": family,
                "search_key": fold(f"{given} {family}"),
                "family_key": fold(family),
                "birth_date": born,
                "nationality": rng.choice(COUNTRIES),
                "phone": f"+316{10000000 + i:08d}",
                "email": f"visitor{i}@example.org",
                "email_key": f"visitor{i}@example.org",
                "category": rng.choice(CATEGORIES),
                "employer": None,
                "municipality": "Leiden",
                "language": None,
                "notes": None,
                "created_at": created,
                "updated_at": created,
                "anonymised_at": None,
            }

    with db.engine.begin() as conn:
        for batch in chunks(visitors()):
            conn.execute(insert(tables["visitors"]), batch)
        for batch in chunks(iter(tokens)):
            conn.execute(insert(tables["visitor_name_tokens"]), batch)
        counts["visitors"] = size.visitors

    days = opening_days(today)
    per_day = max(1, size.tickets // len(days))
    ticket_id = 0
    counters: list[dict[str, Any]] = []

    def tickets_and_events() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        nonlocal ticket_id
        for day in days:
            numbers: dict[int, int] = {}
            opening = datetime(day.year, day.month, day.day, 9, 0, tzinfo=clock.tz)
            for _ in range(per_day):
                ticket_id += 1
                sid = rng.choice(service_ids)
                numbers[sid] = numbers.get(sid, 0) + 1
                arrived = (opening + timedelta(minutes=rng.randint(0, 420))).astimezone(UTC)
                called = arrived + timedelta(minutes=rng.randint(0, 40))
                finished = called + timedelta(minutes=rng.randint(3, 30))
                no_show = rng.random() < 0.06
                desk = rng.randint(1, 4)
                who = rng.choice(staff[1:10])
                ticket = {
                    "id": ticket_id,
                    "day": day,
                    "label": f"{prefixes[sid]}{numbers[sid]:03d}",
                    "service_id": sid,
                    "visitor_id": rng.randint(1, size.visitors),
                    "source": "walk_in",
                    "priority": rng.random() < 0.03,
                    "appointment_at": None,
                    "status": "no_show" if no_show else "done",
                    "desk": desk,
                    "staff_id": who,
                    "arrived_at": arrived,
                    "called_at": called,
                    "first_called_at": called,
                    "recalls": 0,
                    "finished_at": finished,
                    "notes": None,
                    "outcome": None,
                }
                events = [
                    {
                        "ticket_id": ticket_id,
                        "at": arrived,
                        "action": "issued",
                        "staff_id": who,
                        "desk": None,
                        "detail": None,
                    },
                    {
                        "ticket_id": ticket_id,
                        "at": called,
                        "action": "called",
                        "staff_id": who,
                        "desk": desk,
                        "detail": f"desk {desk}",
                    },
                    {
                        "ticket_id": ticket_id,
                        "at": finished,
                        "action": "no_show" if no_show else "finished",
                        "staff_id": who,
                        "desk": desk,
                        "detail": None,
                    },
                ]
                yield ticket, events
            for sid, last in numbers.items():
                counters.append({"day": day, "prefix": prefixes[sid], "last": last})

    with db.engine.begin() as conn:
        batch_t: list[dict[str, Any]] = []
        batch_e: list[dict[str, Any]] = []
        for ticket, events in tickets_and_events():
            batch_t.append(ticket)
            batch_e.extend(events)
            if len(batch_t) >= 10_000:
                conn.execute(insert(tables["tickets"]), batch_t)
                conn.execute(insert(tables["ticket_events"]), batch_e)
                batch_t, batch_e = [], []
        if batch_t:
            conn.execute(insert(tables["tickets"]), batch_t)
            conn.execute(insert(tables["ticket_events"]), batch_e)
        for batch in chunks(iter(counters)):
            conn.execute(insert(tables["ticket_counters"]), batch)
        counts["tickets"] = ticket_id

        def contacts() -> Iterator[dict[str, Any]]:
            for _ in range(size.contacts):
                day = rng.choice(days)
                at = datetime(
                    day.year,
                    day.month,
                    day.day,
                    rng.randint(9, 16),
                    rng.randint(0, 59),
                    tzinfo=clock.tz,
                ).astimezone(UTC)
                yield {
                    "at": at,
                    "channel": rng.choice(["email", "phone", "video"]),
                    "topic": "Question",
                    "visitor_id": rng.randint(1, size.visitors),
                    "staff_id": rng.choice(staff),
                    "minutes": rng.randint(2, 30),
                }

        for batch in chunks(contacts()):
            conn.execute(insert(tables["contact_moments"]), batch)
        counts["contacts"] = size.contacts

        def audit_rows() -> Iterator[dict[str, Any]]:
            # What a decade of desks writes: logins most, then BSNs seen and recorded,
            # referrals, day closes, exports, privacy requests, staff and partner changes;
            # each with its object, at opening hours, in the order they happened (ids
            # follow time, as appends do), so every filter of the audit browser is used.
            for at in sorted(
                _local(rng.choice(days), rng.randint(8, 16), rng.randint(0, 59), clock)
                + timedelta(seconds=rng.randint(0, 59))
                for _ in range(size.audit)
            ):
                action, object_type, _ = rng.choices(AUDIT_KINDS, AUDIT_WEIGHTS)[0]
                desk = rng.randint(1, 8)
                result = "ok"
                if action == "login" and rng.random() < 0.03:
                    result = "wrong_pin"
                object_id: object = None
                if object_type == "visitor":
                    object_id = rng.randint(1, size.visitors)
                elif object_type == "appointment_person":
                    object_id = rng.randint(1, 75_000 if scale >= 1 else 100)
                elif object_type == "referral":
                    object_id = rng.randint(1, size.referrals)
                elif object_type == "day":
                    object_id = at.date().isoformat()
                elif object_type == "staff":
                    object_id = rng.choice(staff)
                elif object_type == "partner":
                    object_id = rng.randint(1, size.partners)
                elif object_type == "report":
                    object_id = f"{at.year}-{at.month:02d}"
                yield {
                    "at": at,
                    "actor_id": rng.choice(staff),
                    "action": action,
                    "object_type": object_type,
                    "object_id": None if object_id is None else str(object_id),
                    "result": result,
                    "origin": f"desk {desk} @ frontdesk-{desk:02d}",
                    "reason": "municipality appointment" if action == "bsn.reveal" else None,
                }

        for batch in chunks(audit_rows()):
            conn.execute(insert(tables["audit_events"]), batch)
        counts["audit"] = size.audit
        fill = Fill(conn, tables, rng, size, days, staff, clock, now)
        for step in FILLERS:
            counts |= step(fill)

    if db.dialect == "postgresql":
        with db.engine.begin() as conn:  # rows went in with explicit ids: move the sequences on
            for name in (n for n, t in tables.items() if "id" in t.c):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                )
    # Today's queue mid-morning, through the services (so it is exactly what desks make).
    from frontdesk.services import Actor

    open_all_day(services, Actor(staff[0], "Bench Staff 00", "lead", 1, "bench"))
    clerk = Actor(staff[1], "Bench Staff 01", "desk", 1, "bench")
    for i in range(40):
        services.queue.issue(
            clerk,
            "info" if i % 3 else "bsn_collection",
            visitor_id=rng.randint(1, size.visitors),
            second_ticket=True,  # a random pick may be a visitor who has a ticket already
        )
    counts["today"] = 40
    if db.dialect == "postgresql":
        # VACUUM too, as autovacuum would have done over the years: without the visibility
        # map it sets, PostgreSQL cannot answer from an index alone (index-only scans), and
        # every search read the table's pages as a freshly bulk-loaded database does.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return counts


def open_all_day(services: Services, lead: Any) -> None:
    """The bench runs at any hour: the walk-in hours in force (the lead's rule, stored in
    the database) are all day, every day, so the desks' walk-ins are never out of hours."""

    week = [h for h in services.rules.hours() if h.kind != "walk_in"]
    week += [Hours(day, clock_time(0, 0), clock_time(23, 59), "walk_in") for day in range(7)]
    if set(week) != set(services.rules.hours()):
        services.rules.set_hours(lead, week)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.db, args.scale)
    print(f"generated {counts} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
