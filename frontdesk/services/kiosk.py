"""The self-service kiosk: the three things a visitor may do at a tablet by the entrance.

A kiosk acts through its own account (role ``kiosk``, made on its first start, with no
PIN: it can never log in at a desk) and may only list the walk-in services, take a ticket
and check a household in for its appointment (``kiosk.*`` in auth.PERMISSIONS).

Everything it returns is about the ticket just made, never about a person: no names but
the first name just typed, no lists of visitors. Its two limits live in the database, so
they hold across every browser tab and process of one kiosk (``kiosk --web`` runs one
process per browser):

- at most ``kiosk_tickets_per_minute`` tickets a minute from one kiosk (counted from the
  tickets' "issued" events by the kiosk's account);
- after ``CHECK_IN_FAILURES`` wrong reference/birth-date pairs in ``FAILURE_WINDOW``,
  check-in pauses for ``PAUSE`` (counted from audit rows ``kiosk.check_in`` / ``wrong``).

Both are counted under a row lock on the kiosk's account (SQLite: the write transaction),
so two tabs cannot both slip under a limit.

What the visitor reads is a key of the kiosk's text catalogue (``frontdesk/locales/kiosk``):
:class:`KioskRefusal` carries the key and its values; the screen puts it in the language
the visitor chose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import DEFAULT_SERVICES, Hours, Settings
from frontdesk.db import Database
from frontdesk.db.models import (
    Appointment,
    AppointmentPerson,
    AuditEvent,
    Service,
    Staff,
    TicketEvent,
    Visitor,
)
from frontdesk.i18n import catalogue, languages
from frontdesk.services import audit
from frontdesk.services.appointments import AppointmentService
from frontdesk.services.auth import KIOSK_ROLE, Actor, require
from frontdesk.services.errors import Conflict, FrontdeskError, ValidationError
from frontdesk.services.fields import parse_date
from frontdesk.services.queue import QueueService
from frontdesk.services.queue.board import wait_after_issue, waiting_strip
from frontdesk.services.rules import CentreRulesService, is_open
from frontdesk.services.staff import add_account
from frontdesk.services.text import clean_text, fold
from frontdesk.services.visitors import VisitorInput, check_visitor

DEFAULT_KIOSK = "Kiosk"
CHECK_IN_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)
PAUSE = timedelta(minutes=1)
TICKET_WINDOW = timedelta(minutes=1)
# A household may check in this long before the BSN appointment hours start.
EARLY_CHECK_IN = timedelta(minutes=30)
# How far ahead the kiosk looks for the next opening.
LOOK_AHEAD_DAYS = 14
NO_PIN = "!"  # not a hash: no PIN ever matches it (security.verify_pin)


class KioskRefusal(FrontdeskError):
    """Nothing was issued; ``key`` names the visitor's text in the kiosk catalogue."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class KioskOffer:
    """A walk-in service the visitor may pick, with the wait of someone joining now."""

    code: str
    name: str
    prefix: str
    waiting: int
    wait_minutes: int


@dataclass(frozen=True)
class KioskState:
    """What the start screen offers now. ``opens_at``: the next opening (local time) when
    nothing is offered."""

    tickets_open: bool
    check_in_open: bool
    opens_at: datetime | None
    offers: tuple[KioskOffer, ...] = field(default=())

    @property
    def closed(self) -> bool:
        return not (self.tickets_open or self.check_in_open)


@dataclass(frozen=True)
class KioskTicket:
    """The ticket just made, as the visitor sees (and the printer prints) it."""

    label: str
    service_code: str
    service_name: str
    wait_minutes: int | None
    issued_at: datetime  # local time
    language: str | None
    first_name: str | None = None
    appointment_at: datetime | None = None  # local time, for a check-in


def _blocks_on(hours: tuple[Hours, ...], day: date, kinds: tuple[str, ...]) -> list[Hours]:
    return sorted(
        (h for h in hours if h.weekday == day.weekday() and h.kind in kinds),
        key=lambda h: h.start,
    )


def _at(clock: Clock, day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=clock.tz)


def next_opening(clock: Clock, hours: tuple[Hours, ...]) -> datetime | None:
    """The next start of any block (walk-in or appointments) after now, local time."""
    now = clock.local_now()
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = now.date() + timedelta(days=offset)
        for block in _blocks_on(hours, day, ("walk_in", "bsn_appointments")):
            start = _at(clock, day, block.start)
            if start > now:
                return start
    return None


def visitor_service_name(language: str | None, code: str, name: str) -> str:
    """A service's name in the visitor's language: the catalogue's ``service_<code>`` when
    the centre kept the built-in name, else the centre's own name as it is."""
    default = next((s.name for s in DEFAULT_SERVICES if s.code == code), None)
    if name != default:
        return name
    return catalogue("kiosk", language or "en").get(f"service_{code}", name)


def check_language(code: object) -> str | None:
    """A language the kiosk has a catalogue for, or None."""
    if code is None or code == "":
        return None
    if not isinstance(code, str) or code not in languages("kiosk"):
        raise ValidationError("language", "pick a language from the list")
    return code


class KioskService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        queue: QueueService,
        appointments: AppointmentService,
        rules: CentreRulesService,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.queue = queue
        self.appointments = appointments
        self.rules = rules

    # -- the kiosk's account ---------------------------------------------------------
    def account(self, name: str = DEFAULT_KIOSK, *, origin: str = "kiosk") -> Actor:
        """The kiosk's own account, made on its first start (no PIN, no login at a desk).

        Refused when a person's account has this name. Several kiosks: give each its own
        name (``frontdesk kiosk --name Entrance``), so each has its own limits.
        """
        clean = clean_text(name, "name", label="The kiosk's name", max_length=100, required=True)
        assert clean is not None
        key = fold(clean)
        for _attempt in range(2):
            try:
                with self.db.write() as session:
                    row = session.scalar(select(Staff).where(Staff.name_key == key))
                    if row is None:
                        row = add_account(session, clean, KIOSK_ROLE, NO_PIN, self.clock.now())
                        audit.record(
                            session,
                            self.clock,
                            action="kiosk.account",
                            actor_id=row.id,
                            object_type="staff",
                            object_id=row.id,
                            origin=origin,
                        )
                    elif row.role != KIOSK_ROLE:
                        raise ValidationError(
                            "name", "a staff member has this name; give the kiosk another name"
                        )
                    return Actor(row.id, row.name, KIOSK_ROLE, None, origin)
            except IntegrityError:  # another kiosk process made it at the same moment
                continue
        raise Conflict("the kiosk's account could not be made; try again")

    # -- what the start screen offers --------------------------------------------------
    def state(self, actor: Actor) -> KioskState:
        require(actor, "kiosk.services")
        hours = self.rules.hours()
        tickets_open = is_open(self.clock, hours, "walk_in")
        check_in_open = is_open(self.clock, hours, "bsn_appointments", EARLY_CHECK_IN)
        offers: tuple[KioskOffer, ...] = ()
        if tickets_open:
            with self.db.read() as session:
                load = {item.code: item for item in waiting_strip(session, self.clock)}
                rows = session.execute(
                    select(Service.code, Service.name, Service.prefix)
                    .where(Service.active, Service.by_appointment.is_(False))
                    .order_by(Service.id)
                ).all()
            offers = tuple(
                KioskOffer(code, name, prefix, load[code].waiting, load[code].estimated_wait)
                for code, name, prefix in rows
                if code in load
            )
        opens_at = None if (tickets_open or check_in_open) else next_opening(self.clock, hours)
        return KioskState(tickets_open, check_in_open, opens_at, offers)

    def _refuse_closed(self, kind: str, early: timedelta = timedelta(0)) -> None:
        hours = self.rules.hours()
        if not is_open(self.clock, hours, kind, early):
            raise KioskRefusal("closed", opens_at=next_opening(self.clock, hours))

    def _lock_kiosk(self, session: Session, actor: Actor) -> None:
        """The kiosk's account row, locked: its counters are one queue (SQLite: the write
        transaction's lock does it already)."""
        stmt = select(Staff.id, Staff.role).where(Staff.id == actor.staff_id)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = session.execute(stmt).one_or_none()
        if row is None or row.role != KIOSK_ROLE:
            raise ValidationError("kiosk", "this is not a kiosk's account")

    # -- take a ticket -----------------------------------------------------------------
    def take_ticket(
        self,
        actor: Actor,
        service_code: str,
        *,
        language: str | None = None,
        first_name: str | None = None,
    ) -> KioskTicket:
        """A walk-in ticket in the chosen language, with an optional first name."""
        require(actor, "kiosk.issue")
        code = check_language(language)
        name = clean_text(first_name, "first_name", label="The first name", max_length=40)
        if name and any(ch.isdigit() for ch in name):
            raise KioskRefusal("name_invalid")
        self._refuse_closed("walk_in")
        now = self.clock.now()
        with self.db.write() as session:
            if actor.role == KIOSK_ROLE:
                self._lock_kiosk(session, actor)
                recent = session.scalar(
                    select(func.count())
                    .select_from(TicketEvent)
                    .where(
                        TicketEvent.staff_id == actor.staff_id,
                        TicketEvent.action == "issued",
                        TicketEvent.at > now - TICKET_WINDOW,
                    )
                )
                if (recent or 0) >= self.settings.kiosk_tickets_per_minute:
                    raise KioskRefusal("rate_limit")
            service = session.scalar(
                select(Service).where(
                    Service.code == str(service_code)[:40],
                    Service.active,
                    Service.by_appointment.is_(False),
                )
            )
            if service is None:
                raise ValidationError("service", "pick a service from the list")
            visitor_id = None
            if name:
                values = check_visitor(VisitorInput(given_names=name), self.clock.today())
                visitor_id = self.queue.visitors.create_row_in(session, values).id
            ticket = self.queue.issue_in(
                session, actor, service.code, visitor_id=visitor_id, service=service
            )
            ticket.language = code
            label, service_name = ticket.label, service.name
            load = waiting_strip(session, self.clock)
        return KioskTicket(
            label,
            service_code,
            visitor_service_name(code, service_code, service_name),
            wait_after_issue(load, service_code),
            self.clock.to_local(now),
            code,
            first_name=name or None,
        )

    # -- check in for an appointment ---------------------------------------------------
    def pause_left(self, actor: Actor) -> int:
        """Seconds until check-in works again at this kiosk (0: it works now)."""
        require(actor, "kiosk.check_in")
        with self.db.read() as session:
            return self._pause_left(session, actor)

    def _pause_left(self, session: Session, actor: Actor) -> int:
        now = self.clock.now()
        failures = session.execute(
            select(func.count(), func.max(AuditEvent.at)).where(
                AuditEvent.actor_id == actor.staff_id,
                AuditEvent.action == "kiosk.check_in",
                AuditEvent.result == "wrong",
                AuditEvent.at > now - FAILURE_WINDOW,
            )
        ).one()
        count, last = failures
        if count < CHECK_IN_FAILURES or last is None:
            return 0
        if last.tzinfo is None:  # SQLite hands back naive UTC
            last = last.replace(tzinfo=UTC)
        left = (last + PAUSE - now).total_seconds()
        return max(0, int(left + 0.999))

    def check_in(
        self,
        actor: Actor,
        reference: str,
        birth_date: str | date,
        *,
        language: str | None = None,
    ) -> KioskTicket:
        """The household's BSN-queue ticket, exactly as a desk check-in makes it.

        A wrong or unknown pair gives one answer ("wrong_pair") whether the reference
        exists or not, and counts towards the pause.
        """
        require(actor, "kiosk.check_in")
        code = check_language(language)
        ref = reference.strip().upper() if isinstance(reference, str) else ""
        try:
            born = parse_date(birth_date, "birth_date", "The date of birth")
        except ValidationError:
            born = None
        if not ref or len(ref) > 60 or born is None:
            raise KioskRefusal("check_in_incomplete")
        self._refuse_closed("bsn_appointments", EARLY_CHECK_IN)
        refusal: KioskRefusal | None = None
        with self.db.write() as session:
            if actor.role == KIOSK_ROLE:
                self._lock_kiosk(session, actor)
                left = self._pause_left(session, actor)
                if left:
                    raise KioskRefusal("paused", seconds=left)
            found = session.execute(
                select(Appointment.id)
                .join(AppointmentPerson, AppointmentPerson.appointment_id == Appointment.id)
                .join(Visitor, Visitor.id == AppointmentPerson.visitor_id)
                .where(
                    func.upper(Appointment.reference) == ref,
                    AppointmentPerson.relation == "main",
                    Visitor.birth_date == born,
                )
                .limit(1)
            ).scalar_one_or_none()
            if found is None:
                audit.record(
                    session, self.clock, action="kiosk.check_in", actor=actor, result="wrong"
                )
                refusal = KioskRefusal("wrong_pair")
            else:
                stmt = select(Appointment).where(Appointment.id == found)
                if session.get_bind().dialect.name == "postgresql":
                    stmt = stmt.with_for_update()
                ap = session.scalars(stmt).one()
                if ap.day != self.clock.today() or ap.status not in ("booked", "no_show"):
                    raise KioskRefusal("ask_desk")
                ticket = self.appointments.check_in_in(session, actor, ap)
                ticket.language = code
                service = session.get_one(Service, ticket.service_id)
                result = (ticket.label, service.code, service.name, ap.start_at)
                load = waiting_strip(session, self.clock)
        if refusal is not None:  # raised after the commit: the failure is counted
            raise refusal
        label, service_code, service_name, start_at = result
        return KioskTicket(
            label,
            service_code,
            visitor_service_name(code, service_code, service_name),
            wait_after_issue(load, service_code),
            self.clock.local_now(),
            code,
            appointment_at=self.clock.to_local(start_at),
        )
