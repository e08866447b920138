"""The kiosk's screens: language -> take a ticket or check in -> the number.

Every text a visitor reads comes from the kiosk catalogue in the chosen language
(``frontdesk/locales/kiosk/<code>.toml``, through :func:`frontdesk.i18n.text`). Buttons are
large for fingers; the keys shown beside them work too.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from frontdesk.i18n import languages, text
from frontdesk.services import Actor
from frontdesk.services.kiosk import KioskOffer, KioskState, KioskTicket, visitor_service_name
from frontdesk.tui.widgets.bigticket import BigTicket

if TYPE_CHECKING:
    from frontdesk.tui.kiosk.app import KioskApp


def say(lang: str | None, key: str, **values: object) -> str:
    """A visitor's text in their language (English where the catalogue has a gap)."""
    return text("kiosk", lang, key, **values)


def opens_text(lang: str | None, opens_at: datetime | None, today: datetime) -> str:
    if opens_at is None:
        return say(lang, "opens_unknown")
    clock = f"{opens_at:%H:%M}"
    if opens_at.date() == today.date():
        return say(lang, "opens_today", time=clock)
    if opens_at.date() == today.date() + timedelta(days=1):
        return say(lang, "opens_tomorrow", time=clock)
    return say(lang, "opens_on", day=say(lang, f"day_{opens_at.weekday()}"), time=clock)


def wait_words(lang: str | None, minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes <= 0:
        return say(lang, "estimated_no_wait")
    return say(lang, "estimated_wait", minutes=minutes)


class KioskScreen(Screen[None]):
    """A kiosk screen in the visitor's language, with a typed handle on the KioskApp."""

    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="kiosk_back", tooltip="Go back"),
    ]

    def __init__(self, lang: str | None = None) -> None:
        super().__init__()
        self.lang = lang

    @property
    def kiosk(self) -> KioskApp:
        return cast("KioskApp", self.app)

    def t(self, key: str, **values: object) -> str:
        return say(self.lang, key, **values)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.action_back()

    def show_message(self, key: str, values: dict[str, object] | None = None) -> None:
        """A refusal in the visitor's words, on the screen's message line."""
        values = dict(values or {})
        if key == "closed":
            now = self.kiosk.services.clock.local_now()
            opens = values.get("opens_at")
            message = (
                self.t("closed")
                + " "
                + opens_text(self.lang, opens if isinstance(opens, datetime) else None, now)
            )
        else:
            message = self.t(key, **values)
        line = self.query_one("#kiosk-message", Static)
        line.update(message)
        line.display = True


class LanguageScreen(KioskScreen):
    """The first screen: one large button per language, named in that language."""

    BINDINGS = [
        Binding(str(n), f"pick({n})", show=False, id=f"kiosk_language_{n}", tooltip="Language")
        for n in range(1, 10)
    ]

    def compose(self) -> ComposeResult:
        names = languages("kiosk")
        with Vertical(id="kiosk-body"):
            yield Static(say("en", "choose_language"), id="kiosk-title")
            with Grid(id="kiosk-languages"):
                for n, (code, name) in enumerate(names.items(), 1):
                    yield Button(f"{n}  {name}", id=f"lang-{code}", classes="kiosk-big")

    def on_mount(self) -> None:
        self.focus_first()

    def focus_first(self) -> None:
        buttons = list(self.query(Button))
        if buttons:
            buttons[0].focus()

    def action_pick(self, n: int) -> None:
        codes = list(languages("kiosk"))
        if 1 <= n <= len(codes):
            self.choose(codes[n - 1])

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("lang-"):
            self.choose(event.button.id.removeprefix("lang-"))

    def choose(self, code: str) -> None:
        self.app.push_screen(StartScreen(code))


class StartScreen(KioskScreen):
    """Take a ticket or check in; outside opening hours: when the centre opens next."""

    BINDINGS = [
        Binding("1", "take", show=False, id="kiosk_take", tooltip="Take a ticket"),
        Binding("2", "check_in", show=False, id="kiosk_check_in", tooltip="Check in"),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self.state: KioskState | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-body"):
            yield Static(self.t("what"), id="kiosk-title")
            yield Static("", id="kiosk-message")
            with Vertical(id="kiosk-choices"):
                yield Button(f"1  {self.t('take_ticket')}", id="take", classes="kiosk-big")
                yield Button(f"2  {self.t('check_in')}", id="check-in", classes="kiosk-big")
            yield Button(self.t("back"), id="back", classes="kiosk-back")

    def on_mount(self) -> None:
        self.query_one("#kiosk-message", Static).display = False
        for button in self.query("#kiosk-choices Button"):
            button.display = False
        self.refresh_state()

    def on_screen_resume(self) -> None:
        if self.state is not None:
            self.refresh_state()

    def refresh_state(self) -> None:
        kiosk = self.kiosk
        if kiosk.actor is None:  # the account is being made (first start) or failed
            kiosk.call_service(
                lambda: kiosk.services.kiosk.account(kiosk.kiosk_name),
                done=self._account_ready,
                refused=self.show_message,
            )
            return
        actor = kiosk.actor
        kiosk.call_service(
            lambda: kiosk.services.kiosk.state(actor),
            done=self.show_state,
            refused=self.show_message,
        )

    def _account_ready(self, actor: Actor) -> None:
        self.kiosk.actor = actor
        self.refresh_state()

    def show_state(self, state: KioskState) -> None:
        self.state = state
        take = self.query_one("#take", Button)
        check_in = self.query_one("#check-in", Button)
        take.display = state.tickets_open and bool(state.offers)
        check_in.display = state.check_in_open
        if state.closed:
            self.show_message("closed", {"opens_at": state.opens_at})
            self.query_one("#back", Button).focus()
        else:
            self.query_one("#kiosk-message", Static).display = False
            (take if take.display else check_in).focus()

    def action_take(self) -> None:
        if self.state is not None and self.state.tickets_open and self.state.offers:
            self.app.push_screen(ServiceScreen(self.lang, self.state.offers))

    def action_check_in(self) -> None:
        if self.state is not None and self.state.check_in_open:
            self.app.push_screen(CheckInScreen(self.lang))

    @on(Button.Pressed, "#take")
    def _take(self) -> None:
        self.action_take()

    @on(Button.Pressed, "#check-in")
    def _check_in(self) -> None:
        self.action_check_in()


class ServiceScreen(KioskScreen):
    """The walk-in services with their wait; an optional first name; one tap issues."""

    def __init__(self, lang: str | None, offers: tuple[KioskOffer, ...]) -> None:
        super().__init__(lang)
        self.offers = offers
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="kiosk-body"):
            yield Static(self.t("pick_service"), id="kiosk-title")
            yield Static(self.t("first_name_label"), classes="kiosk-label")
            yield Input(id="first-name", max_length=40)
            yield Static("", id="kiosk-message")
            with Vertical(id="kiosk-choices"):
                for n, offer in enumerate(self.offers, 1):
                    wait = (
                        self.t("no_wait")
                        if offer.wait_minutes <= 0 or offer.waiting == 0
                        else self.t("wait_minutes", minutes=offer.wait_minutes)
                    )
                    name = visitor_service_name(self.lang, offer.code, offer.name)
                    yield Button(
                        f"{n}  {name}  ·  {wait}",
                        id=f"service-{offer.code}",
                        classes="kiosk-big",
                    )
            yield Button(self.t("back"), id="back", classes="kiosk-back")

    def on_mount(self) -> None:
        self.query_one("#kiosk-message", Static).display = False
        self.query_one("#first-name", Input).focus()

    @on(Input.Submitted, "#first-name")
    def _name_typed(self) -> None:
        self.query_one("#kiosk-choices Button", Button).focus()

    @on(Button.Pressed, "#kiosk-choices Button")
    def _service(self, event: Button.Pressed) -> None:
        code = (event.button.id or "").removeprefix("service-")
        self.take(code)

    def take(self, code: str) -> None:
        kiosk = self.kiosk
        if self.busy or kiosk.actor is None:
            return
        self.busy = True
        actor, lang = kiosk.actor, self.lang
        name = self.query_one("#first-name", Input).value

        def call() -> tuple[KioskTicket, bool | None]:
            ticket = kiosk.services.kiosk.take_ticket(actor, code, language=lang, first_name=name)
            return ticket, kiosk.print_slip(ticket)

        kiosk.call_service(call, done=self._issued, refused=self._refused)

    def _issued(self, result: tuple[KioskTicket, bool | None]) -> None:
        ticket, printed = result
        self.app.switch_screen(TicketScreen(self.lang, ticket, printed))

    def _refused(self, key: str, values: dict[str, object]) -> None:
        self.busy = False
        self.show_message(key, values)


class CheckInScreen(KioskScreen):
    """Booking reference and the main person's date of birth -> the household's ticket."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="kiosk-body"):
            yield Static(self.t("check_in"), id="kiosk-title")
            yield Static(self.t("reference_label"), classes="kiosk-label")
            yield Input(id="reference", max_length=60)
            yield Static(self.t("birth_date_label"), classes="kiosk-label")
            yield Input(id="birth-date", max_length=10, placeholder="23-11-1990")
            yield Static("", id="kiosk-message")
            with Center():
                yield Button(self.t("do_check_in"), id="do-check-in", classes="kiosk-big")
            yield Button(self.t("back"), id="back", classes="kiosk-back")

    def on_mount(self) -> None:
        self.query_one("#kiosk-message", Static).display = False
        self.busy = False
        self.query_one("#reference", Input).focus()

    @on(Input.Submitted, "#reference")
    def _next_field(self) -> None:
        self.query_one("#birth-date", Input).focus()

    @on(Input.Submitted, "#birth-date")
    @on(Button.Pressed, "#do-check-in")
    def submit(self) -> None:
        kiosk = self.kiosk
        if self.busy or kiosk.actor is None:
            return
        self.busy = True
        actor, lang = kiosk.actor, self.lang
        reference = self.query_one("#reference", Input).value
        born = self.query_one("#birth-date", Input).value

        def call() -> tuple[KioskTicket, bool | None]:
            ticket = kiosk.services.kiosk.check_in(actor, reference, born, language=lang)
            return ticket, kiosk.print_slip(ticket)

        kiosk.call_service(call, done=self._checked_in, refused=self._refused)

    def _checked_in(self, result: tuple[KioskTicket, bool | None]) -> None:
        ticket, printed = result
        self.app.switch_screen(TicketScreen(self.lang, ticket, printed))

    def _refused(self, key: str, values: dict[str, object]) -> None:
        self.busy = False
        self.show_message(key, values)
        if key == "wrong_pair":
            self.query_one("#birth-date", Input).value = ""


class TicketScreen(KioskScreen):
    """The number, large, with the service and the wait; back to the start after a while."""

    BINDINGS = [
        Binding("enter", "done", show=False, id="kiosk_done", tooltip="Done"),
    ]

    def __init__(self, lang: str | None, ticket: KioskTicket, printed: bool | None) -> None:
        super().__init__(lang)
        self.ticket = ticket
        self.printed = printed
        self.shown_at = time.monotonic()

    def compose(self) -> ComposeResult:
        ticket = self.ticket
        with Vertical(id="kiosk-body"):
            if ticket.appointment_at is not None:
                yield Static(self.t("checked_in"), id="kiosk-title")
            elif ticket.first_name:
                yield Static(self.t("hello", name=ticket.first_name), id="kiosk-title")
            else:
                yield Static(self.t("your_number"), id="kiosk-title")
            with Center(id="kiosk-number-box"):
                yield BigTicket(ticket.label, id="kiosk-number")
            yield Static(ticket.label, id="kiosk-number-text")
            yield Static(ticket.service_name, id="kiosk-service")
            if ticket.appointment_at is not None:
                yield Static(
                    self.t("appointment_at", time=f"{ticket.appointment_at:%H:%M}"),
                    id="kiosk-appointment",
                )
            yield Static(wait_words(self.lang, ticket.wait_minutes), id="kiosk-wait")
            yield Static(self.t("take_a_seat"), id="kiosk-seat")
            if self.printed is False:
                yield Static(self.t("print_failed"), id="kiosk-print-failed")
            with Center():
                yield Button(self.t("done"), id="done", classes="kiosk-big")

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        self.query_one("#done", Button).focus()

    def action_back(self) -> None:
        self.action_done()

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        self.kiosk.start_over()
