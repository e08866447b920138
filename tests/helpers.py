# ruff: noqa: E501  (the CSV data is clearer with one row per line)
"""What several test modules share that is not a fixture: fixed days, data builders,
Pilot helpers. Fixtures live in conftest.py."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual.worker import WorkerCancelled

from frontdesk.cli import main
from frontdesk.clock import FixedClock
from frontdesk.config import Settings
from frontdesk.db.models import AuditEvent, Service, Ticket, Visitor
from frontdesk.services import Actor, Services
from frontdesk.services.appointments import AppointmentInput, PersonInput
from frontdesk.services.partners import PartnerInput
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.appointments import AppointmentsScreen
from frontdesk.tui.appointments.dialogs import HouseholdForm
from frontdesk.tui.base import Reloads
from frontdesk.tui.board.app import BoardApp
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.desk.find import FindScreen
from frontdesk.tui.desk.register import RegisterScreen
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.screens.login import LoggedIn
from frontdesk.tui.widgets.field import Field
from tests.conftest import MONDAY_10, TEST_PIN, letters, make_services

# -- reports: a normal day of tickets --------------------------------------------------
AMS = ZoneInfo("Europe/Amsterdam")
DAY = date(2026, 11, 23)  # a Monday in winter time (UTC+1)


def at(day: date, hh: int, mm: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=AMS, fold=fold).astimezone(UTC)


def _service_id(services: Services, code: str) -> int:
    with services.db.read() as session:
        return int(session.scalar(select(Service.id).where(Service.code == code)) or 0)


def add_ticket(
    services: Services,
    code: str,
    label: str,
    arrived: datetime,
    called: datetime | None = None,
    finished: datetime | None = None,
    *,
    status: str = "done",
    desk: int | None = None,
    staff: Actor | None = None,
    visitor_id: int | None = None,
    priority: bool = False,
) -> int:
    with services.db.write() as session:
        row = Ticket(
            day=arrived.astimezone(AMS).date(),
            label=label,
            service_id=_service_id(services, code),
            visitor_id=visitor_id,
            source="walk_in",
            priority=priority,
            status=status,
            desk=desk,
            staff_id=staff.staff_id if staff else None,
            arrived_at=arrived,
            called_at=called,
            first_called_at=called,
            recalls=0,
            finished_at=finished,
        )
        session.add(row)
        session.flush()
        return row.id


def add_visitor(services: Services, nationality: str | None, category: str | None) -> int:
    now = services.clock.now()
    with services.db.write() as session:
        row = Visitor(
            given_names="Test",
            family_name="Person",
            search_key="test person",
            family_key="person",
            nationality=nationality,
            category=category,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return row.id


def normal_day(services: Services, clerk: Actor, lead: Actor) -> None:
    """Waits A: 5, 10, 20 (no-show), 30; B: 0, 40; one A cancelled before being called."""
    d = DAY
    add_ticket(services, "info", "A001", at(d, 9), at(d, 9, 5), at(d, 9, 15), desk=1, staff=clerk)
    add_ticket(
        services, "info", "A002", at(d, 9, 10), at(d, 9, 20), at(d, 9, 40), desk=2, staff=lead
    )
    add_ticket(
        services, "info", "A003", at(d, 9, 30), at(d, 9, 50), at(d, 9, 52),
        status="no_show", desk=1, staff=clerk,
    )  # fmt: skip
    add_ticket(
        services, "info", "A004", at(d, 10, 15), at(d, 10, 45), at(d, 10, 50), desk=1, staff=clerk
    )
    add_ticket(
        services, "bsn_registration", "B001", at(d, 9), at(d, 9), at(d, 9, 30), desk=2, staff=lead
    )
    add_ticket(
        services, "bsn_registration", "B002", at(d, 10), at(d, 10, 40), at(d, 11, 10),
        desk=2, staff=lead, priority=True,
    )  # fmt: skip
    add_ticket(services, "info", "A005", at(d, 11), None, at(d, 11, 5), status="cancelled")


# -- appointments ---------------------------------------------------------------------
VALID_BSN = "111222333"
OTHER_BSN = "123456782"
MONDAY = date(2026, 11, 23)


def household(
    *,
    employer: str | None = None,
    partner: bool = True,
    children: int = 1,
    time: str = "09:30",
    day: object = MONDAY,
    kind: str = "first_registration",
    nationality: str = "IN",
    reference: str | None = None,
) -> AppointmentInput:
    people = [
        PersonInput(
            "main",
            VisitorInput("Priya", "Raghunathan", "1990-04-12", nationality, employer=employer),
            married=partner,
        )
    ]
    if partner:
        people.append(
            PersonInput(
                "partner", VisitorInput("Arjun", "Raghunathan", "1989-01-02", "IN"), married=True
            )
        )
    for i in range(children):
        people.append(
            PersonInput(
                "child", VisitorInput(f"Kid{letters(i)}", "Raghunathan", f"201{i}-05-05", "IN")
            )
        )
    return AppointmentInput(
        kind=kind, day=day, time=time, employer=employer, reference=reference, people=tuple(people)
    )  # type: ignore[arg-type]


def book_appointment(
    services: Services,
    actor: Actor,
    time: str = "10:00",
    given: str = "Anna",
    nationality: str = "DE",
    employer: str | None = None,
    members: int = 0,
) -> int:
    """A household of the Fictief family booked on MONDAY at ``time``: its id. The main
    person, born 1990, and ``members`` children born 2018."""
    people = [PersonInput("main", VisitorInput(given, "Fictief", "1990-01-01", nationality))]
    for i in range(members):
        people.append(
            PersonInput(
                "child", VisitorInput(f"Kind{letters(i)}", "Fictief", "2018-01-01", nationality)
            )
        )
    data = AppointmentInput(
        day=MONDAY, time=time, employer=employer, reference=f"BK-{time}", people=tuple(people)
    )
    return services.appointments.book(actor, data).id


# -- appointment imports ---------------------------------------------------------------
WEDNESDAY = date(2026, 11, 25)

# Comma-separated, ISO dates, columns in the documented order.
CLEAN = """reference,date,time,type,role,given_names,family_name,date_of_birth,nationality,phone,email,employer
BK-1001,2026-11-25,09:00,first_registration,main,Priya,Raghunathan,1990-04-12,IN,+31 6 12345678,priya@example.org,LUMC
BK-1001,2026-11-25,09:00,first_registration,partner,Arjun,Raghunathan,1989-01-02,IN,,,
BK-1001,2026-11-25,09:00,first_registration,child,Kavya,Raghunathan,2018-06-30,IN,,,
BK-1002,2026-11-25,09:30,first_registration,main,Emily,Carter,1985-02-14,US,,emily@example.org,Naturalis
"""

# What a Dutch-locale spreadsheet writes: BOM, semicolons, Dutch dates, other column order
# and case, blank lines, CRLF; one bad row (phone) among good ones.
MESSY = (
    "\ufeffRole;Reference;Date;Time;Given_Names;FAMILY_NAME;Date_of_Birth;Nationality;Phone;Email;Employer;Type\r\n"
    "main;BK-2001;25-11-2026;10:00;Łukasz;Kowalczyk;03-03-1991;Poland;;lukasz@example.org;ESA ESTEC;first_registration\r\n"
    "\r\n"
    "partner;BK-2001;25-11-2026;10:00;Ana;Kowalczyk;12-12-1992;PL;;;;\r\n"
    ";;;;;;;;;;;\r\n"
    "main;BK-2002;25-11-2026;10:30;Zoë;Ødegård;01-01-1980;NO;12345;;;first_registration\r\n"
    "main;BK-2003;25-11-2026;11:00;Kenji;Tanaka;1987-07-07;JP;;;;bsn_collection\r\n"
)


# -- Pilot: the desk ---------------------------------------------------------------------
SIZE = (120, 35)


def make_app(services: Services, desk: int = 1) -> FrontdeskApp:
    return FrontdeskApp(services, Settings(db_url=services.settings.db_url, desk=desk))


async def workers_done(app: App[Any]) -> None:
    """Wait for the app's workers. A worker that a newer exclusive one replaced ends
    cancelled (a screen that reloads twice in a row): that counts as done, not as an error."""
    while True:
        running = [w for w in app.workers if not w.is_finished]
        if not running:
            return
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete(running)


async def settle(
    app_or_pilot: App[Any] | Pilot[Any], pilot: Pilot[Any] | None = None, rounds: int = 3
) -> None:
    """Let the workers the last keys started finish and their results reach the screen.
    ``settle(pilot)`` or ``settle(app, pilot)``: the same."""
    if isinstance(app_or_pilot, Pilot):
        pilot = app_or_pilot
    assert pilot is not None
    for _ in range(rounds):
        await workers_done(pilot.app)
        await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys as a clerk does, then settle."""
    await pilot.press(*keys)
    await settle(pilot)


async def click(pilot: Pilot[Any], selector: str) -> None:
    """Click (or tap) the widget ``selector`` as a person does, then settle."""
    await pilot.click(selector)
    await settle(pilot)


async def log_in(app: FrontdeskApp, pilot: Pilot[Any], actor: Actor) -> DeskScreen:
    await settle(app, pilot)
    app.post_message(LoggedIn(actor))
    await settle(app, pilot)
    assert isinstance(app.screen, DeskScreen)
    return app.screen


async def enter_pin(pilot: Pilot[Any], pin: str = TEST_PIN, *then: str) -> None:
    """At the login screen: type a PIN and Enter, then press the keys ``then`` (alt+4...)."""
    await settle(pilot)
    await press(pilot, *pin, "enter")
    if then:
        await press(pilot, *then)


async def open_appointments(pilot: Pilot[Any], pin: str = TEST_PIN) -> AppointmentsScreen:
    """Log in with ``pin`` at the login screen and go to the appointment book."""
    await enter_pin(pilot, pin)
    app = pilot.app
    assert isinstance(app, FrontdeskApp)
    app.action_go("appointments")
    await settle(pilot)
    assert isinstance(app.screen, AppointmentsScreen)
    return app.screen


@contextlib.asynccontextmanager
async def at_appointments(
    services: Services, *, size: tuple[int, int] = (120, 35)
) -> AsyncIterator[tuple[FrontdeskApp, Pilot[Any], AppointmentsScreen]]:
    """The app logged in with the test PIN on the appointment book: (app, pilot, the book)."""
    app = FrontdeskApp(services, services.settings)
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await open_appointments(pilot)


async def open_household_form(pilot: Pilot[Any]) -> HouseholdForm:
    """On the appointment book, N: the form for a new booking."""
    await press(pilot, "n")
    form = pilot.app.screen
    assert isinstance(form, HouseholdForm)
    return form


@contextlib.asynccontextmanager
async def at_desk(
    services: Services, actor: Actor, desk: int = 1, *, size: tuple[int, int] = SIZE
) -> AsyncIterator[tuple[FrontdeskApp, Pilot[Any], DeskScreen]]:
    """The app at ``desk``, logged in as ``actor``: (app, pilot, the desk screen)."""
    app = make_app(services, desk)
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await log_in(app, pilot, actor)


@contextlib.asynccontextmanager
async def at_lead_screen(
    services: Services, *, size: tuple[int, int] = (120, 35)
) -> AsyncIterator[tuple[FrontdeskApp, Pilot[Any], LeadScreen]]:
    """The app logged in with the test PIN (a lead's) on the lead's screen (Alt+5):
    (app, pilot, the lead screen)."""
    app = FrontdeskApp(services, services.settings)
    async with app.run_test(size=size) as pilot:
        await enter_pin(pilot, TEST_PIN, "alt+5")
        assert isinstance(app.screen, LeadScreen)
        yield app, pilot, app.screen


# -- waiting for a reload ----------------------------------------------------------------
# Generous: a pass never waits this long, and a shared machine under load may be slow.
RELOAD_TIMEOUT = 60.0


class Reloading(Protocol):
    reloads: Reloads


async def reloaded(
    pilot: Pilot[Any],
    node: Reloading,
    check: Callable[[], bool] | None = None,
    *,
    since: int | None = None,
    timeout: float = RELOAD_TIMEOUT,
) -> None:
    """Wait for a screen (a lead tab, the board) to draw its list again from its own timer,
    the queue signal or an action, instead of sleeping or polling its rows.

    With ``check``: until ``check()`` holds once a reload is drawn (at once if it holds
    now). Without: until more reloads than ``since`` (default: those drawn so far) are
    drawn. Fails after ``timeout`` seconds, saying what it waited for."""
    reloads = node.reloads
    seen = reloads.count if since is None else since

    def done() -> bool:
        return check() if check is not None else reloads.count > seen

    async def wait() -> None:
        while True:
            await settle(pilot)
            if done():
                return
            await reloads.next()

    try:
        await asyncio.wait_for(wait(), timeout)
    except TimeoutError:
        what = "check() to hold" if check is not None else f"reload {seen + 1}"
        raise AssertionError(
            f"{type(node).__name__}: waited {timeout:g} s for {what}; {reloads.count} reloads drawn"
        ) from None


async def poll_board(pilot: Pilot[Any]) -> None:
    """Ask the board to read the database now, and wait until its answer is drawn."""
    board = pilot.app
    assert isinstance(board, BoardApp)
    seen = board.reloads.count
    board.poll_now()
    await reloaded(pilot, board, since=seen)


async def until(
    pilot: Pilot[Any], check: Callable[[], bool], *, timeout: float = RELOAD_TIMEOUT
) -> None:
    """Wait until ``check()`` holds, for what no reload shows (a thread the test holds, a
    write in the database), looking every 20 ms. It does not settle: the test may be
    holding a worker on purpose. Fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"waited {timeout:g} s for check() to hold"
        await pilot.pause(0.02)


def queue_table(app: App[Any]) -> DataTable[Any]:
    return app.screen.query_one("#queue", DataTable)


def queue_labels(app: App[Any]) -> list[str]:
    """The tickets in the desk's queue, top to bottom."""
    t = queue_table(app)
    return [str(t.get_row_at(i)[0]) for i in range(t.row_count)]


def row_of(app: App[Any], label: str) -> list[str]:
    """The cells of one ticket's row in the desk's queue (fails if it is not there)."""
    t = queue_table(app)
    for i in range(t.row_count):
        row = [str(c) for c in t.get_row_at(i)]
        if row[0] == label:
            return row
    raise AssertionError(f"{label} not in the queue")


def field_error(screen: Any, name: str) -> str:
    """The message beside a form's field (empty when the field is fine)."""
    field = screen.query_one(f"#field-{name}", Field)
    return str(field.query_one(".field-error, .field-hint", Static).content)


async def open_register(pilot: Pilot[Any], *typed: str) -> RegisterScreen:
    """F2 at the desk, then ``typed`` into the first field (the given names)."""
    await press(pilot, "f2")
    screen = pilot.app.screen
    assert isinstance(screen, RegisterScreen)
    await pilot.press(*typed)
    return screen


async def open_find(pilot: Pilot[Any], *typed: str) -> FindScreen:
    """F3 at the desk, then ``typed`` into the search, and its results shown."""
    await press(pilot, "f3")
    screen = pilot.app.screen
    assert isinstance(screen, FindScreen)
    await press(pilot, *typed)
    return screen


def walk_in(services: Services, actor: Actor, name: str, service: str = "info", **kw: Any) -> Any:
    return services.queue.register_walk_in(
        actor, VisitorInput(given_names=name), service_code=service, **kw
    )[1]


def call_at_another_desk(url: str, clerk: Actor) -> None:
    """``clerk`` calls the next ticket at desk 3, in another frontdesk on the database at
    ``url`` (services of its own, as another process has)."""
    other = make_services(url, FixedClock(MONDAY_10))
    try:
        other.queue.call_next(Actor(clerk.staff_id, clerk.name, "desk", 3, "test"), 3)
    finally:
        other.close()


def help_rows(app: FrontdeskApp) -> list[tuple[str, str]]:
    table = app.screen.query_one("#help-keys", DataTable)
    return [(str(r[0]), str(r[1])) for r in (table.get_row_at(i) for i in range(table.row_count))]


# -- appointment e-mails: a real SMTP server on 127.0.0.1 ------------------------------
class SmtpSink:
    """An aiosmtpd server in a thread that keeps what it receives (parsed), can refuse
    addresses with 550, can hold a conversation at RCPT until released, and can be
    stopped and started again on the same port (a server that is down, then up)."""

    def __init__(self) -> None:
        import socket
        import threading

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.messages: list[Any] = []
        self.refuse: set[str] = set()
        self.hold = False
        self.held = threading.Event()  # set when a conversation is being held at RCPT
        self.release = threading.Event()
        self._controller: Any = None

    def start(self) -> None:
        import asyncio
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                if sink.hold:
                    sink.held.set()
                    while not sink.release.is_set():
                        await asyncio.sleep(0.05)
                if address in sink.refuse:
                    return "550 5.1.1 <" + address + ">: mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 Message accepted"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    def settings(self, **changes: Any) -> Any:
        from frontdesk.config_mail import MailSettings

        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "from_address": "Leiden International Centre <desk@example.org>",
        }
        return MailSettings(**(values | changes))

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


MAIL_ADDRESS = "priya@example.org"


def mail_booking(
    *,
    email: str | None = MAIL_ADDRESS,
    language: str | None = None,
    opt_out: bool | None = None,
    time: str = "10:00",
    day: date = WEDNESDAY,
    given: str = "Priya",
) -> AppointmentInput:
    data = household(day=day, time=time, children=1)
    main = data.people[0]
    visitor = dataclasses.replace(
        main.data, given_names=given, email=email, language=language, mail_opt_out=opt_out
    )
    people = (dataclasses.replace(main, data=visitor), *data.people[1:])
    return dataclasses.replace(data, people=people)


# -- appointments: every document ticked -------------------------------------------------
def tick_all(services: Services, actor: Actor, appointment_id: int) -> None:
    info = services.appointments.get(actor, appointment_id)
    for person in info.persons:
        for doc in person.documents:
            services.appointments.tick_document(actor, person.id, doc.code)


def ready_to_complete(services: Services, actor: Actor, appointment_id: int) -> None:
    """Every document ticked and every person's BSN coming by post: what completing an
    appointment in progress asks for."""
    tick_all(services, actor, appointment_id)
    for person in services.appointments.get(actor, appointment_id).persons:
        services.appointments.record_bsn(actor, person.id, "by_post")


# -- the command line ------------------------------------------------------------------
def run(argv: Sequence[str], stdin: str | None = None) -> int:
    if stdin is not None:
        old, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        return main(list(argv))
    except SystemExit as done:  # argparse: --help, --version, bad arguments
        return int(done.code or 0)
    finally:
        if stdin is not None:
            sys.stdin = old


def in_a_fresh_python(code: str) -> None:
    """Run ``code`` in a new Python process, so that what it imports is its own; fail with
    the end of its error output unless it exits cleanly."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1000:]


def one_clean_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("frontdesk: ")
    return lines[0]


# -- partners ---------------------------------------------------------------------------
GOOD_PARTNER = PartnerInput(
    name="Rijnland Bank",
    category="Bank",
    contact="Eva Jansen",
    email="desk@rijnland.example.nl",
    phone="071 512 3456",
    website="rijnland.example.nl",
    languages="english; dutch/ English",
)


PARTNERS_WITH_BLANKS = (
    "\ufeffname;category;contact;email;phone;website;languages;notes\r\n"
    "RIJNLAND BANK;bank;;;;;Dutch, English;\r\n"
    "Leiden Lingua;Taalscholen;;;;;;\r\n"
).encode()


# -- long writes: a large fictitious booking export, the audit of a purge ------------------
GIVEN = ("Amara", "Bram", "Chen", "Dalia", "Emre", "Fatima", "Goran", "Hana", "Ivo", "Jia")
FAMILY = ("Testa", "Voorbeeld", "Proef", "Fictief", "Muster", "Ejemplo", "Esempio")
NATIONS = ("IN", "US", "DE", "CN", "BR", "TR", "PL", "IT", "ES", "JP")


def booking_csv(rows: int, *, first: date = date(2026, 11, 25), seed: int = 7) -> bytes:
    """A fictitious booking-system export of about ``rows`` rows (households of 1-3).

    Households are booked on Wednesdays (the default BSN hours, 09:00-16:30) in
    half-hour slots; every person has a name of their own (letters of a counter)."""
    rng = random.Random(seed)
    slots = [f"{9 + m // 60:02d}:{m % 60:02d}" for m in range(0, 450, 30)]
    lines = [
        "reference,date,time,type,role,given_names,family_name,date_of_birth,"
        "nationality,phone,email,employer"
    ]
    household = 0
    while len(lines) - 1 < rows:
        day = first + timedelta(weeks=household // len(slots))
        at = slots[household % len(slots)]
        ref = f"LOAD-{household:06d}"
        family = f"{rng.choice(FAMILY)} {letters(household)}"
        nation = rng.choice(NATIONS)
        size = min(rng.choice((1, 1, 2, 2, 3)), rows - (len(lines) - 1))
        for person in range(size):
            role = ("main", "partner", "child")[person]
            born = date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
            if role == "child":
                born = date(2012 + rng.randrange(10), born.month, born.day)
            email = f"{ref.lower()}@example.org" if role == "main" else ""
            lines.append(
                f"{ref},{day.isoformat()},{at},first_registration,{role},"
                f"{rng.choice(GIVEN)},{family},{born.isoformat()},{nation},,{email},"
            )
        household += 1
    return ("\n".join(lines) + "\n").encode()


def audit_count(services: Services, action: str) -> int:
    with services.db.read() as session:
        stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return int(session.scalar(stmt) or 0)


def purged_in_audit(services: Services) -> int:
    """The visitors the purge's audit entries say were anonymised."""
    with services.db.read() as session:
        reasons = session.scalars(
            select(AuditEvent.reason).where(AuditEvent.action == "privacy.purge")
        ).all()
    return sum(int((r or "").split(" visitors")[0].split()[-1]) for r in reasons)
