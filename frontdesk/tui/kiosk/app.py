"""The kiosk App: a tablet by the entrance where visitors take a ticket or check in.

It acts as the kiosk's own account (``services.kiosk.account``: role ``kiosk``, no PIN),
so whatever a visitor taps can only list the walk-in services, take a ticket or check in;
the services refuse anything else. It shows no name but the one just typed, and no list.

Touch first: every choice is a large button; keys work too (the digits pick a language,
Escape goes back). Idle for ``idle_seconds`` -> back to the language screen, with the
screens that were open (and what was typed in them) removed. The ticket stays up for
``ticket_seconds``, then the language screen returns for the next visitor. Both run on one
clock tick (:meth:`KioskApp.tick`), which tests call with a moment of their own.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding

from frontdesk.config import Settings
from frontdesk.services import Actor, FrontdeskError, Services, ValidationError
from frontdesk.services.kiosk import DEFAULT_KIOSK, KioskRefusal, KioskTicket
from frontdesk.services.printing import TicketSlip, print_ticket
from frontdesk.tui.app import FRONTDESK_THEME
from frontdesk.tui.kiosk.screens import LanguageScreen, TicketScreen
from frontdesk.tui.paths import stylesheet

log = logging.getLogger(__name__)
T = TypeVar("T")

IDLE_SECONDS = 30.0
TICKET_SECONDS = 20.0


class KioskApp(App[None]):
    """The kiosk. ``name``: the kiosk's account (each kiosk its own, for its limits)."""

    TITLE = "frontdesk kiosk"
    CSS_PATH = [stylesheet("kiosk.tcss")]
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False, id="quit", tooltip="Close the kiosk"),
    ]

    def __init__(
        self,
        services: Services,
        settings: Settings,
        *,
        kiosk_name: str = DEFAULT_KIOSK,
        idle_seconds: float = IDLE_SECONDS,
        ticket_seconds: float = TICKET_SECONDS,
        printer: Callable[[TicketSlip], bool | None] | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.settings = settings
        self.kiosk_name = kiosk_name
        self.idle_seconds = idle_seconds
        self.ticket_seconds = ticket_seconds
        self.printer = printer or (lambda slip: print_ticket(settings.printer, slip))
        self.actor: Actor | None = None
        self.last_touch = time.monotonic()

    def on_mount(self) -> None:
        self.register_theme(FRONTDESK_THEME)
        self.theme = "frontdesk"
        self.push_screen(LanguageScreen())
        self.set_interval(1.0, self.tick)
        self.call_service(
            lambda: self.services.kiosk.account(self.kiosk_name), done=self._account_ready
        )

    def _account_ready(self, actor: Actor) -> None:
        self.actor = actor

    # -- the visitor's activity -------------------------------------------------------
    def touched(self) -> None:
        self.last_touch = time.monotonic()

    def on_key(self, event: events.Key) -> None:
        self.touched()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.touched()

    def on_click(self, event: events.Click) -> None:
        self.touched()

    def tick(self, now: float | None = None) -> None:
        """Once a second: a ticket shown long enough, or nobody touching the kiosk for
        ``idle_seconds``, brings back the language screen with nothing left on screen."""
        now = time.monotonic() if now is None else now
        if len(self.screen_stack) < 2:
            return  # starting or shutting down: no language screen yet, or no more
        screen = self.screen
        if isinstance(screen, LanguageScreen):
            return
        if (
            isinstance(screen, TicketScreen) and now - screen.shown_at >= self.ticket_seconds
        ) or now - self.last_touch >= self.idle_seconds:
            self.start_over()

    def start_over(self) -> None:
        """Back to the language screen; every screen above it (and what was typed) goes."""
        while len(self.screen_stack) > 2:  # the default screen and the language screen
            self.pop_screen()
        self.touched()
        if isinstance(self.screen, LanguageScreen):
            self.screen.focus_first()

    # -- service calls off the UI thread ----------------------------------------------
    def call_service(
        self,
        call: Callable[[], T],
        *,
        done: Callable[[T], Any],
        refused: Callable[[str, dict[str, object]], Any] | None = None,
    ) -> None:
        """Run ``call`` in a thread worker; ``done`` gets its result on the UI thread.

        A refusal for the visitor (KioskRefusal) goes to ``refused`` with its text key;
        another refusal of the services is ``not_now`` (their words are for staff), and
        any other problem (a slip of the database, a bug) is ``unavailable``: no
        traceback, no database message on a visitor's screen."""

        def deliver(callback: Callable[..., Any], *args: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the app stopped meanwhile
                self.call_from_thread(callback, *args)

        def job() -> None:
            try:
                result = call()
            except KioskRefusal as exc:
                if refused is not None:
                    deliver(refused, exc.key, exc.values)
                return
            except ValidationError as exc:  # the services' words are for staff, not here
                if refused is not None:
                    deliver(refused, "pick_a_service" if exc.field == "service" else "not_now", {})
                return
            except FrontdeskError:  # e.g. the lead closed today's queue
                if refused is not None:
                    deliver(refused, "not_now", {})
                return
            except Exception as exc:
                log.warning("kiosk: a service call failed (%s)", type(exc).__name__)
                if refused is not None:
                    deliver(refused, "unavailable", {})
                return
            deliver(done, result)

        self.run_worker(job, thread=True, exit_on_error=False, group="kiosk")

    # -- printing ----------------------------------------------------------------------
    def print_slip(self, ticket: KioskTicket) -> bool | None:
        """Print the ticket (in a worker thread); True, False (failed) or None (no printer)."""
        slip = TicketSlip(
            centre=self.settings.printer.centre,
            label=ticket.label,
            service=ticket.service_name,
            at=ticket.issued_at,
            wait_minutes=ticket.wait_minutes,
            language=ticket.language,
        )
        return self.printer(slip)
