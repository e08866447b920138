"""Fictitious demo data, so a newcomer sees every screen filled.

Every capability adds a step to :data:`STEPS`; each step gets the services, a seeded
random generator and the :class:`DemoContext` the earlier steps filled. All names, phone
numbers and e-mail addresses are made up (phone numbers come from the ranges that
phonenumbers accepts as valid; e-mail domains are example.* reserved names).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from frontdesk.clock import Clock, ShiftedClock
from frontdesk.config import Hours, Settings
from frontdesk.db import DatabaseError
from frontdesk.db.models import Staff
from frontdesk.services import Actor, Services
from frontdesk.services.appointments import PersonInput
from frontdesk.services.errors import ValidationError
from frontdesk.services.security import hash_pin
from frontdesk.services.staff import StaffInfo
from frontdesk.services.text import fold
from frontdesk.services.visitors import (
    CATEGORIES,
    VisitorInput,
    VisitorRecord,
    check_visitor,
    to_record,
)

DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    ("Anne de Vries", "lead", "1111"),
    ("Bram Jansen", "desk", "2222"),
    ("Chiara Rossi", "desk", "3333"),
    ("Daan Bakker", "intern", "4444"),
)
DEMO_PINS = {name: pin for name, _role, pin in DEMO_STAFF}

# (given names, family name, nationality, phone as a visitor might write it, language)
DEMO_PEOPLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("Zoë", "Ødegård", "NO", "+47 412 34 567", "Norwegian"),
    ("Łukasz", "Kowalczyk", "PL", "+48 512 345 678", "Polish"),
    ("Nguyễn Thị", "Lan", "VN", "+84 91 234 56 78", "Vietnamese"),
    ("محمد", "العلي", "SY", "06-12345671", "Arabic"),
    ("王", "芳", "CN", "+86 131 2345 6789", "Chinese"),
    ("Priya", "Raghunathan", "IN", "+91 98765 43210", "English"),
    ("Emily", "Carter", "US", "+1 (202) 555-0143", "English"),
    ("James", "O'Connor", "IE", "+353 85 123 4567", "English"),
    ("Olena", "Shevchenko", "UA", "+380 67 123 4567", "Ukrainian"),
    ("Sofía", "Martínez García", "ES", "+34 612 34 56 78", "Spanish"),
    ("João", "Gonçalves", "BR", "+55 11 91234-5678", "Portuguese"),
    ("Ayşe", "Yılmaz", "TR", "+90 532 123 45 67", "Turkish"),
    ("Kenji", "Tanaka", "JP", "+81 90-1234-5678", "Japanese"),
    ("Min-jun", "Kim", "KR", "+82 10-1234-5678", "Korean"),
    ("Amara", "Okafor", "NG", "+234 803 123 4567", "English"),
    ("Dawit", "Bekele", "ET", "06 2345 6781", "Amharic"),
    ("Hannah", "Müller", "DE", "+49 1512 3456789", "German"),
    ("Élodie", "Lefèvre", "FR", "+33 6 12 34 56 78", "French"),
    ("Giulia", "Bianchi", "IT", "+39 312 345 6789", "Italian"),
    ("Андрей", "Смирнов", "RU", "06-34567812", "Russian"),
    ("Νίκος", "Παπαδόπουλος", "GR", "+30 691 234 5678", "Greek"),
    ("Fatima", "Zahra Benali", "MA", "+212 612-345678", "French"),
    ("Siddharth", "Iyer", "IN", "0031 6 45678123", "English"),
    ("Chloé", "Dubois", "BE", "+32 470 12 34 56", "French"),
    ("Mateusz", "Wiśniewski", "PL", "06-56781234", "Polish"),
    ("Ana", "Popescu", "RO", "+40 712 345 678", "Romanian"),
    ("Tomás", "Ó Briain", "IE", "", "English"),
    ("Lina", "Haddad", "LB", "+961 3 123 456", "Arabic"),
    ("Rahel", "Tesfaye", "ER", "06 1812 3456", "Tigrinya"),
    ("Wei", "Zhang", "CN", "", "Chinese"),
    ("Isabella", "Rossi", "IT", "", "Italian"),
    ("Noah", "Williams", "US", "+1 415 555 0199", "English"),
    ("Olivia", "Brown", "GB", "+44 20 8366 1177", "English"),
    ("Ahmed", "Hassan", "EG", "+20 100 123 4567", "Arabic"),
    ("Yuki", "Sato", "JP", "", "Japanese"),
    ("Carlos", "Hernández", "MX", "+52 55 1234 5678", "Spanish"),
    ("Aarav", "Sharma", "IN", "06-81234567", "Hindi"),
    ("Eva", "Novák", "CZ", "+420 601 123 456", "Czech"),
    ("Mikkel", "Sørensen", "DK", "+45 20 12 34 56", "Danish"),
    ("Saoirse", "Nic Giolla", "IE", "", "Irish"),
)
EMPLOYERS = (
    "Leiden University",
    "LUMC",
    "Naturalis",
    "ESA ESTEC",
    "Janssen Biologics",
    "Galapagos",
    "Astellas Pharma",
    "ProQR",
    "Hogeschool Leiden",
    None,
    None,
)
MUNICIPALITIES = (
    "Leiden",
    "Leiden",
    "Oegstgeest",
    "Leiderdorp",
    "Katwijk",
    "Teylingen",
    "Voorschoten",
    "Zoeterwoude",
    "Kaag en Braassem",
    "Noordwijk",
)


@dataclass
class DemoContext:
    staff: list[StaffInfo] = field(default_factory=list)
    visitors: list[VisitorRecord] = field(default_factory=list)
    days: int = 30
    lines: list[str] = field(default_factory=list)


DemoStep = Callable[[Services, random.Random, DemoContext], None]


def _staff_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    with services.db.write() as session:
        if session.scalar(select(func.count()).select_from(Staff)):
            raise ValidationError(
                "db", "this database already has data; demo data goes only into an empty database"
            )
        for name, role, pin in DEMO_STAFF:
            row = Staff(
                name=name,
                name_key=fold(name),
                role=role,
                pin_hash=hash_pin(pin),
                active=True,
                failed_attempts=0,
                created_at=services.clock.now(),
            )
            session.add(row)
            session.flush()
            ctx.staff.append(StaffInfo(row.id, row.name, row.role, True))
    ctx.lines.append(
        f"{len(DEMO_STAFF)} staff (PINs: "
        + ", ".join(f"{n} {p}" for n, p in DEMO_PINS.items())
        + ")"
    )


def _rules_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
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


def _visitor_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
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
DEMO_PARTNERS: tuple[tuple[str, str, str, str], ...] = (
    ("Rijnland Bank", "bank", "Eva Jansen", "Dutch, English"),
    ("Sleutelstad Spaarbank", "bank", "Mark de Boer", "Dutch, English, German"),
    ("Hortus Housing", "housing", "Sanne Visser", "English, Dutch"),
    ("Leiden Student Rooms", "housing", "Joost Smit", "English"),
    ("Kaag Kamerverhuur", "housing", "", "Dutch"),
    ("Holland Move Relocation", "relocation agent", "Laura Meijer", "English, Spanish, Dutch"),
    ("Tulip Relocations", "relocation agent", "Peter Mulder", "English, French"),
    ("Breestraat Belastingadvies", "tax adviser", "Ingrid Bos", "Dutch, English"),
    ("30% Ruling Desk", "tax adviser", "Rob Peters", "English"),
    ("Pieterskerk Advocaten", "lawyer", "Mr. Hendriks", "Dutch, English, Arabic"),
    ("Migration Law Leiden", "lawyer", "Aylin Demir", "English, Turkish, Dutch"),
    ("Zorgpolis Zuid-Holland", "insurer", "Kim de Wit", "Dutch, English"),
    ("Expat Insure NL", "insurer", "Tom Brouwer", "English, German"),
    ("Leiden Lingua", "language school", "Marieke Dekker", "Dutch, English"),
    ("Taalhuis Oegstgeest", "language school", "Femke Vos", "Dutch, Arabic, Tigrinya"),
    ("Nederlands in Actie", "language school", "Bas Kok", "Dutch, English, Polish"),
    ("International School Rijnstreek", "international school", "Claire Dubois", "English, French"),
    ("Leiden Bilingual Primary", "international school", "Hanna Berg", "English, Dutch"),
    ("Kinderopvang De Molen", "childcare", "Anouk Jacobs", "Dutch, English"),
    ("Little Explorers Daycare", "childcare", "Grace Okoye", "English"),
    ("Huisartsen Stevenshof", "healthcare", "Dr. Van Dijk", "Dutch, English"),
    ("Leiden Expat Therapy", "healthcare", "Dr. Rossi", "English, Italian"),
    ("Tandartspraktijk Haagweg", "healthcare", "", "Dutch, English"),
    ("Welcome Buddies Leiden", "other", "Noor Hassan", "English, Arabic, Dutch"),
    ("Fietsenmakerij Morspoort", "other", "Wim Verbeek", "Dutch"),
)
DEMO_REASONS = (
    "open a bank account before the first salary",
    "looking for a room for six months",
    "question about the 30% ruling",
    "health insurance within four months of registration",
    "Dutch lessons for the partner",
    "a school place for two children",
    "childcare three days a week",
    "register with a GP",
    "residence permit for a family member",
    "help finding a rental house for a family",
    "wants to meet other newcomers",
)


def _referral_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    from datetime import datetime, time, timedelta

    from frontdesk.clock import FixedClock
    from frontdesk.services.auth import Actor
    from frontdesk.services.partners import PartnerInput
    from frontdesk.services.referrals import OUTCOMES, ReferralService

    lead = next(s for s in ctx.staff if s.role == "lead")
    actor = Actor(lead.id, lead.name, lead.role, None, "demo")
    partners = []
    for i, (name, category, contact, languages) in enumerate(DEMO_PARTNERS):
        slug = fold(name).replace("%", "").replace(" ", "")[:20]
        partners.append(
            services.partners.add(
                actor,
                PartnerInput(
                    name=name,
                    category=category,
                    contact=contact,
                    email=f"info@{slug}.example.nl",
                    phone=f"071 51{i:02d} {rng.randint(100, 999)}",
                    website=f"www.{slug}.example.nl",
                    languages=languages,
                ),
            ).id
        )
    services.partners.set_active(actor, partners[-1], False)  # one partner that stopped
    partners = partners[:-1]
    desk = [Actor(s.id, s.name, s.role, 1, "demo") for s in ctx.staff if s.role in ("lead", "desk")]
    workers = [Actor(s.id, s.name, s.role, 1, "demo") for s in ctx.staff if s.role == "intern"]
    workers = workers or desk
    now = services.clock.now()
    clock = FixedClock(now, services.clock.tz)
    refs = ReferralService(services.db, services.settings, clock)
    tz = services.clock.tz
    today = services.clock.today()
    made = 0
    for _ in range(60):
        day = today - timedelta(days=rng.randint(0, 35))
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        moment = datetime.combine(day, time(rng.randint(9, 15), rng.randint(0, 59)), tzinfo=tz)
        if moment >= now:
            moment = now - timedelta(minutes=rng.randint(5, 120))
        clock.set(moment)
        consent = rng.random() < 0.75
        row = refs.create(
            rng.choice(desk),
            visitor_id=rng.choice(ctx.visitors).id,
            partner_id=rng.choice(partners),
            reason=rng.choice(DEMO_REASONS),
            consent_given=consent,
            consent_how=rng.choice(("verbal", "verbal", "written", "email")) if consent else None,
        )
        made += 1
        worker = rng.choice(workers)
        steps = rng.choice((0, 1, 1, 2, 2, 3, 4, 4, 5))
        if (today - day).days > 14:  # a kept worklist: most older referrals are closed
            steps = rng.choice((3, 4, 4, 4, 4))

        def later(hours: int = 0) -> bool:
            step = timedelta(days=rng.randint(1, 4), hours=hours)
            if clock.now() + step >= now:
                return False
            clock.advance(seconds=step.total_seconds())
            return True

        if steps >= 1 and later():
            refs.assign(worker, row.id)
            if steps >= 2 and later():
                refs.record_contact(worker, row.id, "phoned the partner, sent the request")
                if steps >= 3 and later():
                    answer = rng.random() < 0.7
                    (refs.accept if answer else refs.decline)(worker, row.id, None)
                    if steps >= 4 and later():
                        code = "got_help" if answer else rng.choice(list(OUTCOMES)[1:5])
                        refs.close(worker, row.id, code)
    ctx.lines.append(f"{len(DEMO_PARTNERS)} partners, {made} referrals")


def _packs_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    """Three pack kinds, deliveries and a stock-take, and packs handed out over past days.

    Rows are written directly so they can carry past timestamps; the quantities are
    chosen so that stock never dips below zero on any day.
    """
    from frontdesk.db.models import PackIssue, PackType, StockMovement

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
            kind = PackType(
                code=code,
                name=name,
                name_key=fold(name),
                low_threshold=threshold,
                active=True,
                created_at=moment(span, 8),
            )
            session.add(kind)
            session.flush()
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
                movement = StockMovement(
                    pack_type_id=kind.id,
                    quantity=-1,
                    reason="issue",
                    staff_id=rng.choice(desks),
                    at=at,
                )
                session.add(movement)
                session.flush()
                session.add(
                    PackIssue(
                        pack_type_id=kind.id,
                        visitor_id=person.id,
                        staff_id=movement.staff_id,
                        at=at,
                        movement_id=movement.id,
                    )
                )
                used.add((code, person.id))
    low = ", ".join(k.name for k in services.packs.low_stock()) or "none"
    ctx.lines.append(f"3 pack kinds, {len(used)} packs handed out (low stock: {low})")


# Where the demo's morning stands on its day: this long after the doors opened.
DEMO_INTO_THE_DAY = timedelta(hours=2, minutes=20)


def demo_moment(hours: Sequence[Hours], now: datetime, tz: ZoneInfo) -> datetime | None:
    """The moment the demo runs at: ``None`` (now) while the centre is open (walk-in or BSN
    hours); otherwise a moment inside the walk-in hours of the last day that had them
    (today's, once they are past), so that the desk's queue is in full swing."""
    local = now.astimezone(tz)
    if any(h.weekday == local.weekday() and h.start <= local.time() < h.end for h in hours):
        return None
    for back in range(15):
        day = local.date() - timedelta(days=back)
        blocks = sorted(
            (h for h in hours if h.kind == "walk_in" and h.weekday == day.weekday()),
            key=lambda h: h.start,
        )
        if not blocks:
            continue
        first = blocks[0]
        opened = datetime.combine(day, first.start, tzinfo=tz)
        closes = datetime.combine(day, first.end, tzinfo=tz)
        moment = min(opened + DEMO_INTO_THE_DAY, closes - timedelta(minutes=20))
        if moment <= now:
            return moment.astimezone(UTC)
    return None


def demo_note(moment: datetime | None, tz: ZoneInfo) -> str:
    """What the login says when the demo does not run on today."""
    if moment is None:
        return ""
    return f"{moment.astimezone(tz):%A %d-%m-%Y} (the centre is closed now)"


def demo_clock(settings: Settings, fresh: bool, now: datetime | None = None) -> tuple[Clock, str]:
    """The clock a ``--demo`` run uses, and the note the login shows about its day.

    A fresh demo picks its moment (:func:`demo_moment`) and writes the offset beside the
    database; a run that joins it reads the offset, so that both desks live the same day.
    """
    tz = ZoneInfo(settings.timezone)
    now = now or datetime.now(UTC)
    shift_file = Path(f"{_demo_path(settings.db_url)}.clock")
    if fresh:
        moment = demo_moment(settings.hours, now, tz)
        offset = (moment - now) if moment is not None else timedelta(0)
        shift_file.write_text(f"{int(offset.total_seconds())}\n")
    else:
        try:
            offset = timedelta(seconds=int(shift_file.read_text().strip() or 0))
        except (OSError, ValueError):
            offset = timedelta(0)
    if not offset:
        return Clock(tz), ""
    return ShiftedClock(offset, tz), demo_note(now + offset, tz)


def fill_demo(services: Services, days: int = 30, seed: int = 2026) -> str:
    """Fill an empty database; returns a summary of what was made."""
    rng = random.Random(seed)
    ctx = DemoContext(days=days)
    for step in STEPS:
        step(services, rng, ctx)
    return "demo data: " + "; ".join(ctx.lines)


def _demo_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise DatabaseError(
            "--demo makes its own SQLite file; fill another database with "
            "'frontdesk --db URL demo' instead"
        )
    return Path(parsed.database).expanduser()


def reset_demo_database(url: str) -> None:
    """``frontdesk --demo`` starts from a fresh file each time (demo data is made for today)."""
    path = _demo_path(url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass
class DemoStart:
    """One ``frontdesk --demo`` run: ``fresh`` when it made the demo database anew (then it
    fills it and calls ``filled``); otherwise it joins the demo another run is showing."""

    fresh: bool
    _lock: Any = None

    def filled(self) -> None:
        """The demo is filled: other runs may join it now (exclusive -> shared lock)."""
        if self._lock is not None:
            import fcntl

            fcntl.flock(self._lock, fcntl.LOCK_SH)


@contextmanager
def demo_database(url: str) -> Iterator[DemoStart]:
    """The ``--demo`` database for as long as the app runs.

    ``--demo`` starts from a fresh file, unless another ``frontdesk --demo`` is running on
    it: then this run joins it, as a second desk on the same demo. Deleting the file under
    the first run left it working on a deleted file, alone, where neither desk saw the
    other's queue. Each run holds a shared lock on a file beside the database while it
    runs; a fresh start needs the exclusive lock, and a joining run waits (shared) until
    the first one has filled the demo. Where there are no such locks (not POSIX), every
    start is fresh as before.
    """
    path = _demo_path(url)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        reset_demo_database(url)
        yield DemoStart(fresh=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fresh = True
        except BlockingIOError:
            fcntl.flock(lock, fcntl.LOCK_SH)  # waits while the first run fills the demo
            fresh = False
        if fresh:
            reset_demo_database(url)
        yield DemoStart(fresh=fresh, _lock=lock)


# -- BSN appointments ---------------------------------------------------------------------
CHILD_NAMES = ("Mila", "Noor", "Sem", "Yara", "Luca", "Aiko", "Omar", "Ines", "Ravi", "Lena")


def _appointments_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    """Appointments in the BSN hours: past weeks done (some no-show, some rejected),
    today's partly served, the coming week booked. Fictitious BSNs are not stored."""
    from datetime import timedelta

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
                people = [_demo_person("main", main, married=rng.random() < 0.4)]
                if people[0].married and adults and rng.random() < 0.7:
                    people.append(_demo_person("partner", adults.pop(), married=True))
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


def _demo_person(relation: str, visitor: VisitorRecord, *, married: bool) -> PersonInput:
    return PersonInput(
        relation,
        VisitorInput(
            visitor.given_names, visitor.family_name, visitor.birth_date, visitor.nationality
        ),
        visitor_id=visitor.id,
        married=married,
    )


from frontdesk.services.demo_merge import merge_step  # noqa: E402
from frontdesk.services.demo_queue import queue_step  # noqa: E402  (it uses DemoContext)

# Each capability adds its step here, in the order a day at the centre builds up.
STEPS: list[DemoStep] = [
    _staff_step,
    _rules_step,
    _visitor_step,
    queue_step,
    _appointments_step,
    merge_step,
    _referral_step,
    _packs_step,
]
