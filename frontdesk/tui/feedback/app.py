"""``frontdesk feedback --desk N``: the tablet facing the visitor at a desk.

When desk N finishes a visit, the tablet asks "How was your visit?" in the language the
visitor chose at the kiosk (English when none), with four big faces and an optional
"why" chip. One tap on a face records the rating against the ticket (nothing about the
person), thanks the visitor, and the tablet goes back to its welcome. A question nobody
touches for 60 seconds clears by itself; so does the thank-you, after 10 seconds.

Like the board it has no login: it acts as the ``feedback`` role
(:func:`frontdesk.services.feedback.tablet_actor`), which may only see which visit its own
desk just finished and record one rating for it. A thread worker polls the queue's cheap
version number every second and asks for the visit only when something changed.

Time is injectable: ``monotonic`` gives the seconds the clear-after timers count, and
:meth:`FeedbackApp.tick` checks them (a one-second interval calls it; tests call it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Static

from frontdesk.i18n import text
from frontdesk.services import Services
from frontdesk.services.feedback import REASONS, SCORES, FinishedVisit, tablet_actor
from frontdesk.tui.app import FRONTDESK_THEME
from frontdesk.tui.paths import stylesheet

POLL_SECONDS = 1.0
RETRY_SECONDS = 3.0
ASK_SECONDS = 60.0  # an untouched question clears after this
THANKS_SECONDS = 10.0

# The faces, drawn with box characters (one cell wide everywhere, also in a browser).
FACES = {
    1: ("╭─────╮", "│ ◦ ◦ │", "│ ╭─╮ │", "╰─────╯"),
    2: ("╭─────╮", "│ ◦ ◦ │", "│ ─── │", "╰─────╯"),
    3: ("╭─────╮", "│ ◦ ◦ │", "│ ╰─╯ │", "╰─────╯"),
    4: ("╭─────╮", "│ ^ ^ │", "│ ╰▽╯ │", "╰─────╯"),
}


def face_label(score: int, language: str | None) -> str:
    return "\n".join((*FACES[score], text("feedback", language, f"face_{score}")))


class FeedbackScreen(Screen[None]):
    """Three panes in one switcher: the welcome, the question, the thank-you."""

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="feedback-idle", id="feedback-switcher"):
            with Vertical(id="feedback-idle"):
                yield Static("", id="feedback-welcome")
            with Vertical(id="feedback-ask"):
                yield Static("", id="feedback-question")
                yield Static("", id="feedback-hint")
                with Horizontal(id="feedback-faces"):
                    for score in SCORES:
                        yield Button("", id=f"face-{score}", classes=f"face -s{score}")
                yield Static("", id="feedback-why")
                with Horizontal(id="feedback-reasons"):
                    for reason in REASONS:
                        yield Button("", id=f"reason-{reason}", classes="reason")
                yield Static("", id="feedback-failed")
            with Vertical(id="feedback-thanks"):
                yield Static("", id="feedback-thanks-title")
                yield Static("", id="feedback-thanks-detail")
        yield Static("", id="feedback-offline")

    def on_mount(self) -> None:
        app = self.app
        if isinstance(app, FeedbackApp):
            app.start()


class FeedbackApp(App[None]):
    """The rating tablet at one desk (no login, no personal data)."""

    TITLE = "frontdesk · how was your visit?"
    CSS_PATH: ClassVar = [stylesheet("feedback.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                str(score),
                f"rate({score})",
                f"Face {score}",
                id=f"feedback_rate_{score}",
                tooltip=f"Rate the visit with face {score} (1 bad .. 4 very good)",
                show=False,
            )
            for score in SCORES
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Close the tablet"),
    ]

    def __init__(
        self,
        services: Services,
        desk: int,
        *,
        poll_seconds: float = POLL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.services = services
        self.desk = desk
        self.actor = tablet_actor(desk)
        self.poll_seconds = poll_seconds
        self.monotonic = monotonic
        self.state = "idle"  # idle | ask | thanks
        self.visit: FinishedVisit | None = None
        self.reason: str | None = None
        self.online = True
        self._asked: set[int] = set()
        self._touched = 0.0
        self._version: int | None = None
        self._next_poll = 0.0
        self._polling = False
        self._recording = False
        self.tablet = FeedbackScreen()
        self.register_theme(FRONTDESK_THEME)
        self.theme = "frontdesk"

    def get_default_screen(self) -> Screen[None]:
        return self.tablet

    def start(self) -> None:
        self._show_idle()
        self.tablet.set_interval(1, self.tick)
        self.tablet.set_interval(self.poll_seconds / 2, self._maybe_poll)
        self.poll_now()

    # -- polling ----------------------------------------------------------------------
    def _maybe_poll(self) -> None:
        if not self._polling and time.monotonic() >= self._next_poll:
            self.poll_now()

    def poll_now(self) -> None:
        """Look for a finished visit now (tests call this instead of waiting)."""
        if self._polling:
            return
        self._polling = True
        self._poll()

    @work(thread=True, exit_on_error=False, group="feedback-poll")
    def _poll(self) -> None:
        try:
            version = self.services.queue.version()
            visit = None
            if version != self._version:
                visit = self.services.feedback.to_ask(self.actor)
        except Exception as exc:  # the database is away: say so, try again, never crash
            self.call_from_thread(self._failed, exc)
            return
        self.call_from_thread(self._arrived, version, visit)

    def _arrived(self, version: int, visit: FinishedVisit | None) -> None:
        self._polling = False
        if not self.tablet.is_attached:
            return
        self._next_poll = time.monotonic() + self.poll_seconds
        self._version = version
        self._set_online(True)
        if visit is not None and visit.ticket_id not in self._asked and not self._recording:
            self.ask(visit)

    def _failed(self, error: BaseException) -> None:
        self._polling = False
        if not self.tablet.is_attached:
            return
        self._next_poll = time.monotonic() + RETRY_SECONDS
        self._version = None
        self.log.warning(f"feedback poll failed: {type(error).__name__}")
        self._set_online(False)

    def _set_online(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        self.tablet.query_one("#feedback-offline", Static).update(
            "" if online else "This tablet cannot reach the database just now; it keeps trying."
        )
        self.tablet.set_class(not online, "-offline")

    # -- the three panes --------------------------------------------------------------
    def _switch(self, state: str) -> None:
        self.state = state
        self.tablet.query_one(ContentSwitcher).current = f"feedback-{state}"

    def _show_idle(self) -> None:
        self.visit = None
        self.reason = None
        welcome = f"{text('feedback', 'en', 'idle')}\n{text('feedback', 'nl', 'idle')}"
        self.tablet.query_one("#feedback-welcome", Static).update(welcome)
        self._switch("idle")

    def ask(self, visit: FinishedVisit) -> None:
        """Show the question about ``visit`` in its language."""
        self._asked.add(visit.ticket_id)
        self.visit = visit
        self.reason = None
        code = visit.language
        screen = self.tablet
        screen.query_one("#feedback-question", Static).update(text("feedback", code, "question"))
        screen.query_one("#feedback-hint", Static).update(text("feedback", code, "hint"))
        screen.query_one("#feedback-why", Static).update(text("feedback", code, "why"))
        screen.query_one("#feedback-failed", Static).update("")
        for score in SCORES:
            button = screen.query_one(f"#face-{score}", Button)
            button.label = face_label(score, code)
            button.disabled = False
        for reason in REASONS:
            chip = screen.query_one(f"#reason-{reason}", Button)
            chip.label = text("feedback", code, f"reason_{reason}")
            chip.set_class(False, "-chosen")
        self._touch()
        self._switch("ask")

    def _thank(self) -> None:
        code = self.visit.language if self.visit else None
        screen = self.tablet
        screen.query_one("#feedback-thanks-title", Static).update(text("feedback", code, "thanks"))
        screen.query_one("#feedback-thanks-detail", Static).update(
            text("feedback", code, "thanks_detail")
        )
        self._touch()
        self._switch("thanks")

    # -- time -------------------------------------------------------------------------
    def _touch(self) -> None:
        self._touched = self.monotonic()

    def tick(self) -> None:
        """Clear an untouched question (60 s) or the thank-you (10 s)."""
        waited = self.monotonic() - self._touched
        if (self.state == "ask" and waited >= ASK_SECONDS and not self._recording) or (
            self.state == "thanks" and waited >= THANKS_SECONDS
        ):
            self._show_idle()

    # -- taps -------------------------------------------------------------------------
    @on(Button.Pressed, ".reason")
    def _reason_pressed(self, event: Button.Pressed) -> None:
        reason = (event.button.id or "").removeprefix("reason-")
        self.choose_reason(None if reason == self.reason else reason)

    def choose_reason(self, reason: str | None) -> None:
        """Pick the optional "why" (again: none)."""
        if self.state != "ask":
            return
        self.reason = reason
        for chip in self.tablet.query(".reason").results(Button):
            chip.set_class(chip.id == f"reason-{reason}", "-chosen")
        self._touch()

    @on(Button.Pressed, ".face")
    def _face_pressed(self, event: Button.Pressed) -> None:
        self.action_rate(int((event.button.id or "face-0").removeprefix("face-")))

    def action_rate(self, score: int) -> None:
        """One tap: record the rating of the visit on screen, then thank."""
        if self.state != "ask" or self.visit is None or self._recording:
            return
        self._recording = True
        for button in self.tablet.query(".face").results(Button):
            button.disabled = True
        self._record(self.visit.ticket_id, score, self.reason)

    @work(thread=True, exit_on_error=False, group="feedback-record")
    def _record(self, ticket_id: int, score: int, reason: str | None) -> None:
        try:
            self.services.feedback.record(self.actor, ticket_id, score, reason)
        except Exception as exc:  # refused (FrontdeskError) or the database is away
            self.call_from_thread(self._not_recorded, exc)
            return
        self.call_from_thread(self._recorded)

    def _recorded(self) -> None:
        self._recording = False
        self._thank()

    def _not_recorded(self, error: BaseException) -> None:
        self._recording = False
        self.log.warning(f"rating not recorded: {type(error).__name__}")
        code = self.visit.language if self.visit else None
        self.tablet.query_one("#feedback-failed", Static).update(text("feedback", code, "failed"))
        for button in self.tablet.query(".face").results(Button):
            button.disabled = False
        self._touch()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Quit", "Close the rating tablet", self.action_quit)
