"""The now-serving board for the waiting room: ticket numbers and desks, never a name.

A separate App with no login. It is built only from :meth:`QueueService.board`, which
holds ticket labels, desk numbers, call times and per-service counts, and nothing about
the visitor. A thread worker reads the database when the queue's change signal moves
(services/queue/sync.py; looked at every 0.1 s) and every few seconds in any case (the
cheap ``version()`` first, the whole board only when something changed); the widgets are
updated in place, so the screen never flickers. A new call flashes and rings the terminal
bell. When the database cannot be reached the board says so and keeps trying; it never
shows a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Digits, Static

from frontdesk.services import Services
from frontdesk.services.queue import BoardCall, BoardState, ServiceLoad
from frontdesk.services.speech import Announcer
from frontdesk.tui.app import FRONTDESK_THEME
from frontdesk.tui.base import Reloads
from frontdesk.tui.board.sound import board_speaker, sound_text
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.widgets.bigticket import BIG_FONT

SIGNAL_SECONDS = 0.1
POLL_SECONDS = 3.0  # should a change signal be lost
RETRY_SECONDS = 3.0
# Even when nothing changed, fetch the whole board now and then: the estimated waits move
# with the clock, and the day changes at midnight.
REFRESH_SECONDS = 30.0
FLASH_SECONDS = 6.0
BLINK_SECONDS = 0.5

# The board's big prefixes: the ticket font of the desk (widgets/bigticket.py), with the
# board's own G, K, P, R, V, W and X.
_LETTERS = {
    **BIG_FONT,
    "G": ("╭─╴", "│╶╮", "╰─╯"),
    "K": ("╷ ╭", "├┤ ", "╵ ╰"),
    "P": ("┌─╮", "├─╯", "╵  "),
    "R": ("┌─╮", "├┬╯", "╵╰╴"),
    "V": ("╷ ╷", "╲ ╱", " ╵ "),
    "W": ("╷╷╷", "│││", "╰┴╯"),
    "X": ("╲ ╱", " ╳ ", "╱ ╲"),
}
_UNKNOWN = ("╭─╮", " ╭╯", " ╵ ")


def big_letters(text: str) -> str:
    """Three lines of large letters for a ticket prefix ("A", "BR")."""
    glyphs = [_LETTERS.get(ch.upper(), _UNKNOWN) for ch in text]
    return "\n".join(" ".join(g[row] for g in glyphs) for row in range(3))


def split_label(label: str) -> tuple[str, str]:
    """ "B007" -> ("B", "007")."""
    letters = "".join(ch for ch in label if ch.isalpha())
    return letters, label[len(letters) :]


def wait_text(load: ServiceLoad) -> str:
    if load.waiting == 0:
        return "no wait"
    minutes = load.estimated_wait
    if minutes < 5:
        return "under 5 min"
    if minutes < 60:
        return f"about {round(minutes / 5) * 5} min"
    hours, rest = divmod(round(minutes / 15) * 15, 60)
    return f"about {hours} h {rest:02d}" if rest else f"about {hours} h"


@dataclass(frozen=True)
class BoardUpdate:
    """What one poll brought back; ``state`` is None when nothing changed."""

    state: BoardState | None
    day: date


class ServingRow(Horizontal):
    """One ticket being served: the big ticket number, an arrow, and the big desk number."""

    def __init__(self, call: BoardCall) -> None:
        super().__init__(classes="serving-row")
        self.call = call

    @property
    def call_key(self) -> tuple[str, int, datetime] | None:
        return c_key(self.call) if self.display else None

    def compose(self) -> ComposeResult:
        prefix, number = split_label(self.call.label)
        yield Static(big_letters(prefix), classes="prefix")
        yield Digits(number, classes="number")
        yield Static("→", classes="arrow")
        yield Static("DESK", classes="desk-word")
        yield Digits(str(self.call.desk), classes="desk")

    def show(self, call: BoardCall) -> None:
        old, self.call = self.call, call
        if call.label != old.label:
            prefix, number = split_label(call.label)
            self.query_one(".prefix", Static).update(big_letters(prefix))
            self.query_one(".number", Digits).update(number)
        if call.desk != old.desk:
            self.query_one(".desk", Digits).update(str(call.desk))


class RecentRow(Static):
    def __init__(self, call: BoardCall, at: str) -> None:
        super().__init__(self._text(call, at), classes="recent-row")

    @staticmethod
    def _text(call: BoardCall, at: str) -> Content:
        return Content.assemble(
            (f"{call.label:<6}", "bold"),
            f" desk {call.desk:<3}",
            (f" {at}", "dim"),
        )

    def show(self, call: BoardCall, at: str) -> None:
        self.update(self._text(call, at))


class LoadRow(Horizontal):
    """Per service: prefix, name, how many wait, and the estimated wait."""

    def __init__(self, load: ServiceLoad) -> None:
        super().__init__(classes="load-row")
        self.code = load.code
        self.load = load

    def compose(self) -> ComposeResult:
        load = self.load
        yield Static(load.prefix, classes="load-prefix")
        yield Static(load.name, classes="load-name")
        yield Static(self._waiting(load), classes="load-waiting")
        yield Static(wait_text(load), classes="load-wait")

    def on_mount(self) -> None:
        self.set_class(self.load.waiting > 0, "-busy")

    @staticmethod
    def _waiting(load: ServiceLoad) -> str:
        return "nobody waiting" if load.waiting == 0 else f"{load.waiting} waiting"

    def show(self, load: ServiceLoad) -> None:
        if load == self.load:
            return
        self.load = load
        self.query_one(".load-name", Static).update(load.name)
        self.query_one(".load-waiting", Static).update(self._waiting(load))
        self.query_one(".load-wait", Static).update(wait_text(load))
        self.set_class(load.waiting > 0, "-busy")


class BoardScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Horizontal(id="board-top"):
            with Vertical(id="board-titles"):
                yield Static("Now serving", id="board-title")
                yield Static("Nu aan de beurt · go to the desk shown", id="board-subtitle")
            with Horizontal(id="board-time"):
                yield Static("", id="board-date")
                yield Digits("", id="board-clock")
        yield Static("", id="board-offline")
        with Horizontal(id="board-main"):
            with Vertical(id="board-serving") as serving:
                serving.border_title = "Called now"
                yield Static(
                    "Welcome! Please take a ticket at the desk; your number will appear here.",
                    id="board-idle",
                )
            with Vertical(id="board-recent") as recent:
                recent.border_title = "Last calls"
                yield Static("No calls yet today.", id="board-no-recent")
        with Vertical(id="board-load") as load:
            load.border_title = "Waiting now"
        yield Static("", id="board-sound")

    def on_mount(self) -> None:
        app = self.app
        if isinstance(app, BoardApp):
            app.start()


class BoardApp(App[None]):
    """``frontdesk board``: the waiting-room screen (no login, no personal data)."""

    TITLE = "frontdesk · now serving"
    CSS_PATH: ClassVar = [stylesheet("board.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "toggle_bell",
            "Sound on/off",
            id="board_bell",
            tooltip="Mute or unmute the bell and the spoken calls",
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Close the board"),
    ]

    def __init__(
        self,
        services: Services,
        *,
        poll_seconds: float = POLL_SECONDS,
        speaker: Announcer | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        # Speaks each new call ([board] speak, --speak); None: the bell only.
        self.speaker = speaker if speaker is not None else board_speaker(services.settings)
        self.poll_seconds = poll_seconds
        self.muted = False
        self.state: BoardState | None = None
        self.online = True
        self.error_count = 0
        self.reloads = Reloads()  # each poll's answer drawn, or the offline banner (tests)
        self._version: int | None = None
        self._day: date | None = None
        self._fetched_at = 0.0
        self._next_poll = 0.0
        self._polling = False
        self._signal_seen = -1
        self._unlisten: Callable[[], None] | None = None
        self._flashing: dict[tuple[str, int, datetime], float] = {}
        self._blink_on = False
        self.board = BoardScreen()
        self.register_theme(FRONTDESK_THEME)
        self.theme = "frontdesk"

    def get_default_screen(self) -> Screen[None]:
        return self.board

    def start(self) -> None:
        """Called once the board screen is mounted: the clock, the blink, the polling."""
        self._tick_clock()
        # The timers belong to the screen, so they stop with it when the board closes.
        self.board.set_interval(1, self._tick_clock)
        self.board.set_interval(BLINK_SECONDS, self._blink)
        self.board.set_interval(min(SIGNAL_SECONDS, self.poll_seconds / 2), self._maybe_poll)
        # Told at once when the signal moves, not only at the next look at it.
        self._unlisten = self.services.queue_signal.listen(
            lambda: self.post_message(self.Signalled())
        )
        self.poll_now()

    class Signalled(Message):
        """The queue signal moved (posted from the signal's watcher thread)."""

        bubble = False

    def on_board_app_signalled(self, _message: BoardApp.Signalled) -> None:
        self._maybe_poll()

    # -- the clock --------------------------------------------------------------------
    def _tick_clock(self) -> None:
        now = self.services.clock.local_now()
        clock = self.board.query_one("#board-clock", Digits)
        text = now.strftime("%H:%M")
        if clock.value != text:
            clock.update(text)
        self.board.query_one("#board-date", Static).update(now.strftime("%A %d %B"))
        self._show_sound()

    def _show_sound(self) -> None:
        line = sound_text(self.speaker, self.muted, self._key_of("board_bell"))
        widget = self.board.query_one("#board-sound", Static)
        widget.update(line)
        widget.display = bool(line)
        widget.set_class(bool(self.speaker and self.speaker.problem), "-problem")

    def _key_of(self, binding_id: str) -> str:
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id == binding_id:
                return self.get_key_display(binding).upper()
        return "?"

    def on_unmount(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self.speaker is not None:
            self.speaker.close()

    # -- polling ----------------------------------------------------------------------
    def _maybe_poll(self) -> None:
        if self._polling:
            return
        signalled = self.online and self.services.queue_signal.generation != self._signal_seen
        if signalled or time.monotonic() >= self._next_poll:
            self.poll_now()

    def poll_now(self) -> None:
        """Ask the database now (tests call this instead of waiting for the timer)."""
        if self._polling:
            return
        self._polling = True
        self._signal_seen = self.services.queue_signal.generation
        self._poll()

    def _wanted(self) -> BoardUpdate:
        """Runs in the worker thread: the whole board only when something changed."""
        queue = self.services.queue
        day = self.services.clock.today()
        version = queue.version()
        stale = time.monotonic() - self._fetched_at >= REFRESH_SECONDS
        if version == self._version and day == self._day and not stale:
            return BoardUpdate(None, day)
        return BoardUpdate(queue.board(), day)

    @work(thread=True, exit_on_error=False, group="board-poll")
    def _poll(self) -> None:
        try:
            update = self._wanted()
        except Exception as exc:  # the database is away: say so, try again, never crash
            self.call_from_thread(self._failed, exc)
            return
        self.call_from_thread(self._arrived, update)

    def _arrived(self, update: BoardUpdate) -> None:
        self._polling = False
        if not self.board.is_attached:  # the board is closing
            return
        self._next_poll = time.monotonic() + self.poll_seconds
        self._set_online(True)
        if update.state is not None:
            self._fetched_at = time.monotonic()
            self._version = update.state.version
            self._day = update.day
            self.show_state(update.state)
        self.reloads.drawn()

    def _failed(self, error: BaseException) -> None:
        self._polling = False
        if not self.board.is_attached:
            return
        self._next_poll = time.monotonic() + RETRY_SECONDS
        self._version = None  # fetch everything once it answers again
        self.error_count += 1
        # Only the type: a database message may carry a URL or values.
        self.log.warning(f"board poll failed: {type(error).__name__}")
        self._set_online(False)
        self.reloads.drawn()

    def _set_online(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        screen = self.board
        banner = screen.query_one("#board-offline", Static)
        banner.update(
            ""
            if online
            else "The board cannot reach the database just now. It keeps trying; "
            "the desks call you as usual."
        )
        screen.set_class(not online, "-offline")

    # -- showing the board ------------------------------------------------------------
    def show_state(self, state: BoardState) -> None:
        first = self.state is None
        previous = {c_key(c) for c in self.state.serving} if self.state else set()
        self.state = state
        new_calls = [c for c in state.serving if c_key(c) not in previous]
        if not first and new_calls:
            until = time.monotonic() + FLASH_SECONDS
            for call in new_calls:
                self._flashing[c_key(call)] = until
            if not self.muted:
                self.bell()
            if self.speaker is not None:  # oldest first; a recall is a new call
                for call in sorted(new_calls, key=lambda c: c.called_at):
                    self.speaker.announce(call.label, call.desk, call.language)
        self._show_serving(state.serving)
        self._show_recent(state.recent)
        self._show_load(state.load)
        self._apply_flash()

    def _show_serving(self, serving: tuple[BoardCall, ...]) -> None:
        box = self.board.query_one("#board-serving", Vertical)
        rows = list(box.query(ServingRow))
        for row, call in zip(rows, serving, strict=False):
            row.show(call)
            row.display = True
        for row in rows[len(serving) :]:
            row.display = False
        if len(serving) > len(rows):
            box.mount_all(ServingRow(call) for call in serving[len(rows) :])
        self.board.query_one("#board-idle", Static).display = not serving

    def _show_recent(self, recent: tuple[BoardCall, ...]) -> None:
        box = self.board.query_one("#board-recent", Vertical)
        rows = list(box.query(RecentRow))
        clock = self.services.clock

        def at(call: BoardCall) -> str:
            return clock.to_local(call.called_at).strftime("%H:%M")

        for row, call in zip(rows, recent, strict=False):
            row.show(call, at(call))
            row.display = True
        for row in rows[len(recent) :]:
            row.display = False
        if len(recent) > len(rows):
            box.mount_all(RecentRow(call, at(call)) for call in recent[len(rows) :])
        self.board.query_one("#board-no-recent", Static).display = not recent

    def _show_load(self, load: tuple[ServiceLoad, ...]) -> None:
        box = self.board.query_one("#board-load", Vertical)
        rows = {row.code: row for row in box.query(LoadRow)}
        if list(rows) != [item.code for item in load]:  # services changed: rebuild once
            box.remove_children()
            box.mount_all(LoadRow(item) for item in load)
            return
        for item in load:
            rows[item.code].show(item)

    def _blink(self) -> None:
        self._blink_on = not self._blink_on
        self._apply_flash()

    def _apply_flash(self) -> None:
        now = time.monotonic()
        for key, until in list(self._flashing.items()):
            if until <= now:
                del self._flashing[key]
        for row in self.board.query(ServingRow):
            new = row.call_key in self._flashing
            row.set_class(new, "-new")
            row.set_class(new and self._blink_on, "-blink")

    def is_flashing(self, label: str) -> bool:
        return any(key[0] == label for key in self._flashing)

    # -- keys -------------------------------------------------------------------------
    def action_toggle_bell(self) -> None:
        self.muted = not self.muted
        if self.speaker is not None:
            self.speaker.set_muted(self.muted)
        self._show_sound()
        self.notify("Sound is off." if self.muted else "Sound is on.", timeout=3)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Sound on/off", "Mute or unmute the bell and the spoken calls", self.action_toggle_bell
        )
        yield SystemCommand("Quit", "Close the board", self.action_quit)


def c_key(call: BoardCall) -> tuple[str, int, datetime]:
    """A call is new when its ticket, desk or call time is new (a recall calls again)."""
    return (call.label, call.desk, call.called_at)
