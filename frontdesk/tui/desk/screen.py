"""The desk: today's queue, live across desks, and the visitor being served at this desk."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Static

from frontdesk.services import Actor, FrontdeskError
from frontdesk.services.queue import OPEN_STATUSES, ServiceLoad, TicketInfo
from frontdesk.tui.actions import button_label, declared, palette_commands
from frontdesk.tui.collector import freeze_startup_objects
from frontdesk.tui.desk.card import DeskUpdate, VisitorCard, card_text, load_text, update_in_place
from frontdesk.tui.desk.highlighted import call_selected, cancel_ticket
from frontdesk.tui.desk.queue_rows import (
    COLUMN_KEYS,
    COLUMNS,
    Cells,
    queue_columns,
    row_cells,
)
from frontdesk.tui.desk.reads import desk_update, today_rows
from frontdesk.tui.desk.visitor import open_pack, open_referral, register_visitor, start_appointment
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.textual_compat import set_disabled_together
from frontdesk.tui.widgets.bigticket import BigTicket
from frontdesk.tui.widgets.fit import set_columns, share_room
from frontdesk.tui.widgets.queue_table import QueueTable
from frontdesk.tui.work import run_service

if TYPE_CHECKING:
    pass

# The desk reads the queue's changes when the queue signal moves (another desk called,
# finished, registered: services/queue/sync.py): told at once by the signal's watcher, and
# looking at the signal every SIGNAL_SECONDS too; and every POLL_SECONDS in any case, should
# a signal be lost.
SIGNAL_SECONDS = 0.1
POLL_SECONDS = 3.0
MINUTE_SECONDS = 60.0
# The waiting strip and the stock line move slowly and cost more to read than the queue's
# changes: with eight busy desks the signal moves several times a second, and a read of
# everything each time queued the next call behind it. They are read with the queue at
# most every SLOW_SECONDS (and on every forced read: this desk's own action, coming back
# to the desk; the stock line not on the desk's own queue action, which moves no stock);
# a change they missed is read by the next refresh after that, at the latest the fallback
# poll's.
SLOW_SECONDS = 2.5


# The desk's bindings without a button (the others get one, in the bindings' order).
NO_BUTTON = frozenset({"desk_undo"})
# Actions that need a visitor at this desk.
NEEDS_CURRENT = frozenset({"recall", "transfer", "no_show", "finish", "hold", "pack", "referral"})


# Seconds after the first queue is shown that the desk builds what F4 needs (see _warm).
WARM_AFTER = 0.3


class DeskScreen(WorkScreen):
    HELP_TITLE = "Desk"
    MODE = "desk"
    CSS_PATH = [stylesheet("desk.tcss")]
    BINDINGS = [
        Binding("f2", "register", "Register", id="register", tooltip="Register a walk-in"),
        Binding("f3", "find", "Find", id="find", tooltip="Find a visitor or a ticket"),
        Binding("f4", "call_next", "Call next", id="call_next", tooltip="Call the next visitor"),
        Binding("f5", "recall", "Recall", id="recall", tooltip="Call the current ticket again"),
        Binding("f6", "transfer", "Transfer", id="transfer",
                tooltip="Send the current visitor to another service's queue"),
        Binding("f7", "no_show", "No-show", id="no_show", tooltip="The visitor did not come"),
        Binding("f8", "finish", "Finish", id="finish",
                tooltip="Finish the visit (optional outcome)"),
        Binding("f9", "hold", "Hold", id="hold",
                tooltip="Put the current visitor on hold (e.g. fetching documents)"),
        Binding("ctrl+r", "resume", "Resume", id="resume",
                tooltip="Take an on-hold visitor back to this desk"),
        Binding("ctrl+z", "undo", "Undo", id="desk_undo", show=False,
                tooltip="Take back this desk's last finish or no-show (for a few minutes)"),
        Binding("enter", "call_selected", "Call this", id="call_selected", show=False,
                tooltip="Call the highlighted ticket out of turn"),
        Binding("delete", "cancel_ticket", "Cancel ticket", id="cancel_ticket", show=False,
                tooltip="Cancel the highlighted waiting ticket (the visitor left)"),
        Binding("p", "pack", "Welcome pack", id="desk_pack", show=False,
                tooltip="Hand a welcome pack to the current visitor (then Enter picks the kind)"),
        Binding("r", "referral", "Refer", id="desk_referral", show=False,
                tooltip="Refer the current visitor to a service partner"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[int, Cells] = {}
        self._order: tuple[int, ...] = ()
        self._shown: tuple[int, ...] = tuple(range(len(COLUMNS)))  # the columns on screen
        self._tickets: dict[int, TicketInfo] = {}
        self._version = -1
        self._current: TicketInfo | None = None
        # The visitor this desk last finished or marked a no-show: what Ctrl+Z takes back.
        self._last_closed: TicketInfo | None = None
        self._card_key: tuple[int, int | None] | None = None
        self._busy = False
        self._again = False
        self._again_force = False
        self._again_full = False
        self._texts: dict[Static, str] = {}  # what _set_text last put in each line
        self._load: list[ServiceLoad] = []
        self._slow_at = float("-inf")  # time.monotonic() of the last strip read
        self._stock_at = float("-inf")  # and of the last stock read
        self._slow_stale = False  # the queue moved since the strip or the stock was read
        self._unlisten: Callable[[], None] | None = None
        self._needs_current: list[Button] | None = None  # the NEEDS_CURRENT buttons
        self.last_update: DeskUpdate | None = None

    # -- layout --------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="desk"):
            with Vertical(id="queue-side"):
                yield Static("", id="load")
                yield Static("", id="low-stock")
                table = QueueTable(id="queue", cursor_type="row", zebra_stripes=True)
                for key, label in COLUMNS:
                    table.add_column(label, key=key)
                yield table
            with Vertical(id="current"):
                yield Label("Now serving at this desk", id="current-title")
                yield BigTicket("", id="current-number")
                yield Static("", id="current-meta")
                with VerticalScroll(id="card-scroll"):
                    yield Static(self._no_visitor(), id="card")
                with Grid(id="desk-buttons"):
                    for binding in self.buttons():
                        yield Button(
                            button_label(self, binding),
                            id=f"do-{binding.action}",
                            compact=True,
                            classes="desk-button",
                        )

    class Signalled(Message):
        """The queue signal moved (posted from the signal's watcher thread)."""

        bubble = False

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).focus()
        self._show_current(None, None)
        signal = self.services.queue_signal
        self._signal_seen = signal.generation
        self._unlisten = signal.listen(lambda: self.post_message(self.Signalled()))
        ahead = self.frontdesk.take_first_read(self.frontdesk.actor)
        if isinstance(ahead, DeskUpdate):  # read in the log-in's thread: drawn at once
            self._busy = True
            self._apply(ahead)
        else:
            self.refresh_queue(force=True)
        self.set_interval(SIGNAL_SECONDS, self._check_signal)
        self.set_interval(POLL_SECONDS, self.refresh_queue)
        # Once a minute the whole queue is read again: the waiting minutes move on, and
        # appointments falling due move up.
        self.set_interval(MINUTE_SECONDS, lambda: self.refresh_queue(force=True, full=True))

    def on_unmount(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None

    def on_desk_screen_signalled(self, _message: DeskScreen.Signalled) -> None:
        self._check_signal()

    def on_screen_resume(self) -> None:
        """Back from another screen (appointments, find, a dialog): show what changed there
        at once, not at the next poll."""
        self.refresh_queue(force=True)

    # -- helpers -------------------------------------------------------------------
    @property
    def desk(self) -> int:
        return int(self.settings.desk)

    @property
    def current(self) -> TicketInfo | None:
        """The ticket this desk is serving now (called here), if any."""
        return self._current

    def highlighted(self) -> TicketInfo | None:
        table = self.query_one("#queue", DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return self._tickets.get(int(key.value or 0))

    # -- live refresh --------------------------------------------------------------
    def _check_signal(self) -> None:
        """The queue may have changed (the signal moved): read what changed."""
        generation = self.services.queue_signal.generation
        if generation != self._signal_seen:
            self._signal_seen = generation
            self.refresh_queue()

    def refresh_queue(self, force: bool = False, full: bool = False) -> None:
        """Poll the queue's version; when it moved (or ``force``), bring the table up to date.

        Only the tickets that changed are read, unless ``full`` (and on the first read).
        """
        actor = self.frontdesk.actor
        if actor is None:
            return
        if self._busy:  # read again once this read is in: it may have started too early
            self._again = True
            self._again_force = self._again_force or force
            self._again_full = self._again_full or full
            return
        self._busy = True
        run_service(
            self,
            lambda: self._fetch(actor, force, full),
            done=self._apply,
            failed=self._poll_failed,
            group="desk-poll",
        )

    def _fetch(
        self, actor: Actor, force: bool, full: bool = False, stock: bool = True
    ) -> DeskUpdate | None:
        """In the worker thread: read only what changed; diff against the table.

        The table's state (``_version``, ``_rows``, ``_order``, ``_tickets``) is only
        replaced by ``_apply`` on the UI thread, never while a fetch runs (``_busy``).
        All its reads (changes, visitor card, waiting strip, stock) are one read
        transaction: one snapshot, and on PostgreSQL one BEGIN and COMMIT, not six.
        ``stock=False`` (after the desk's own queue action, which moves no stock): the
        stock line only if it was last read SLOW_SECONDS ago or more.
        """
        with self.services.snapshot():
            return self._read(actor, force, full, stock)

    def _slow_due(self, force: bool, full: bool) -> bool:
        """Whether this read also reads the waiting strip and the stock line. Not the
        first read: the desk shows today's queue first (after the PIN), and the strip and
        the stock line (whose first read imports the packs service) the moment after."""
        if self._version < 0:
            return False
        return force or full or time.monotonic() - self._slow_at >= SLOW_SECONDS

    def _stock_due(self) -> bool:
        return time.monotonic() - self._stock_at >= SLOW_SECONDS

    def _read(self, actor: Actor, force: bool, full: bool, stock: bool) -> DeskUpdate | None:
        queue = self.services.queue
        clock = self.services.clock
        now = clock.now()
        rows = self._rows
        slow = self._slow_due(force, full)
        if full or self._version < 0:
            version, tickets, new = today_rows(self.services, actor)
        else:
            changes = queue.changed_since(actor, self._version)
            if changes.version < self._version:  # the database went back: read it all
                return self._fetch(actor, force, full=True, stock=stock)
            if changes.version == self._version and not force and not (slow and self._slow_stale):
                return None
            version = changes.version
            merged = dict(self._tickets)
            fresh: dict[int, Cells] = {}
            for t in changes.tickets:
                if t.status in OPEN_STATUSES:
                    merged[t.id] = t
                    fresh[t.id] = row_cells(t, now, clock)
                else:
                    merged.pop(t.id, None)
            tickets = sorted(merged.values(), key=queue.call_order_key(now))
            new = [(t.id, fresh.get(t.id) or rows[t.id]) for t in tickets]
        update = desk_update(
            self.services,
            actor,
            self.desk,
            version,
            tickets,
            new,
            (rows, self._order),
            self._card_key,
            force,
        )
        if slow:
            low_stock = self._low_stock() if stock or self._stock_due() else None
            return replace(update, load=queue.load(), low_stock=low_stock)
        return update

    def _warm(self) -> None:
        """In a worker, just after the first queue is shown: what the first F4 would
        otherwise import while the clerk waits (phonenumbers, for the card's phone number)."""
        import phonenumbers  # noqa: F401  (the visitor card formats phone numbers with it)

    def _low_stock(self) -> str:
        """The reorder warning, read with the queue (no poll of its own); "" when all is well."""
        from frontdesk.tui.stock_line import low_stock_line

        try:
            return low_stock_line(self.services.packs.low_stock())
        except FrontdeskError:
            return ""

    def _poll_failed(self, error: Exception) -> None:
        self._busy = False
        self._set_text(self.query_one("#load", Static), "The queue could not be read; retrying…")

    def _apply(self, update: DeskUpdate | None) -> None:
        self._busy = False
        first = update is not None and self.last_update is None
        if update is not None:
            self.last_update = update
            self._apply_diff(update)
            if first:
                self._again = True  # the strip and the stock line, next (_slow_due)
                freeze_startup_objects()
                # Not at once: the first frame is drawn and the desk is taking keys by then.
                self.set_timer(WARM_AFTER, lambda: run_service(self, self._warm, group="warm"))
            self._version = update.version
            self._rows, self._order, self._tickets = update.rows, update.order, update.tickets
            if update.load is not None:
                self._slow_at = time.monotonic()
                self._show_load(update.load)
            if update.low_stock is not None:
                self._stock_at = time.monotonic()
                self._show_low_stock(update.low_stock)
            self._slow_stale = update.load is None or update.low_stock is None
            current = update.current
            key = (current.id, current.visitor_id) if current else None
            if key != self._card_key or update.card is not None or current != self._current:
                self._show_current(current, update.card)
        self.reloads.drawn()
        if self._again:
            force, full = self._again_force, self._again_full
            self._again = self._again_force = self._again_full = False
            if first:  # once the queue is on screen (the first read may come before it is)
                self.call_after_refresh(self.refresh_queue, force, full)
            else:
                self.refresh_queue(force=force, full=full)

    def _apply_diff(self, update: DeskUpdate) -> None:
        diff = update.diff
        if diff.empty:
            return
        table = self.query_one("#queue", DataTable)
        keep = self.highlighted()
        keep_row = table.cursor_row
        for tid in diff.removed:
            table.remove_row(str(tid))
        for tid, cells in diff.added:
            table.add_row(*self._visible(cells), key=str(tid))
        for tid, column, value in diff.changed:
            if column in self._shown:
                table.update_cell(str(tid), COLUMN_KEYS[column], value)
        if diff.order is not None:
            position = {update.rows[tid][0]: i for i, tid in enumerate(diff.order)}
            table.sort("ticket", key=lambda label: position.get(str(label), len(position)))
        # The cursor stays on the same ticket; if that one left the queue, on the same line.
        if keep is not None and keep.id in update.rows:
            row = table.get_row_index(str(keep.id))
        else:
            row = min(keep_row, table.row_count - 1)
        if row >= 0 and row != table.cursor_row:
            table.move_cursor(row=row, animate=False)

    def select_ticket(self, ticket_id: int) -> None:
        """Put the cursor on a ticket (once it is in the table)."""
        table = self.query_one("#queue", DataTable)
        if str(ticket_id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(ticket_id)))

    def _set_text(self, widget: Static, text: str) -> None:
        """Update a line only when its text changed."""
        if self._texts.get(widget) != text:
            self._texts[widget] = text
            update_in_place(widget, text)

    def _show_load(self, load: Iterable[ServiceLoad] | None = None) -> None:
        if load is not None:
            self._load = list(load)
        widget = self.query_one("#load", Static)
        width = widget.content_size.width or widget.size.width or 80
        self._set_text(widget, load_text(self._load, width))

    def on_resize(self) -> None:
        self._show_load()

    @on(QueueTable.Resized)
    def _fit_columns(self, event: QueueTable.Resized) -> None:
        """Choose the queue's columns for the table's width; rebuild it only when they change."""
        self._show_load()
        table = self.query_one("#queue", DataTable)
        room = event.width
        spec = share_room(queue_columns(room), room, least=10, most=24, scrollbar=1)
        self._shown = tuple(i for i, (_, _, width) in enumerate(spec) if width is not None)
        keep = self.highlighted()  # before the rebuild: the cursor stays on this ticket
        if set_columns(table, spec):
            for tid in self._order:
                table.add_row(*self._visible(self._rows[tid]), key=str(tid))
            if keep is not None and str(keep.id) in table.rows:
                table.move_cursor(row=table.get_row_index(str(keep.id)), animate=False)

    def _visible(self, cells: Cells) -> Cells:
        return tuple(cells[i] for i in self._shown)

    def _show_low_stock(self, line: str) -> None:
        warning = self.query_one("#low-stock", Static)
        self._set_text(warning, line)
        if warning.display != bool(line):
            warning.display = bool(line)

    def _show_current(self, current: TicketInfo | None, card: VisitorCard | None) -> None:
        self._current = current
        number = self.query_one("#current-number", BigTicket)
        meta = self.query_one("#current-meta", Static)
        text = self.query_one("#card", Static)
        if current is None:
            self._card_key = None
            number.show("")
            self._set_text(meta, "")
            self._set_text(text, self._no_visitor())
        else:
            number.show(current.label)
            recalls = f" · recalled {current.recalls}×" if current.recalls else ""
            waited = current.minutes_waiting(self.services.clock.now())
            priority = " · priority" if current.priority else ""
            self._set_text(meta, f"{current.service_name} · waited {waited} min{priority}{recalls}")
            key = (current.id, current.visitor_id)
            if card is not None or current.visitor_id is None:
                self._texts.pop(text, None)  # a card is not a plain line
                update_in_place(text, card_text(card, current, self.settings.date_style))
                self._card_key = key
        self._enable_buttons(current is not None)

    def _enable_buttons(self, enabled: bool) -> None:
        """Enable the "needs a visitor" buttons, or disable them; restyle only those that flip.

        Setting ``disabled`` one button at a time restyled each on its own (seven buttons
        on every call and every no-show); ``set_disabled_together`` restyles them at once.
        """
        if self._needs_current is None:
            self._needs_current = [self.query_one(f"#do-{a}", Button) for a in NEEDS_CURRENT]
        flips = [b for b in self._needs_current if b.disabled == enabled]
        if flips:
            set_disabled_together(flips, not enabled)

    # -- the actions ---------------------------------------------------------------
    @on(Button.Pressed, ".desk-button")
    def _button(self, event: Button.Pressed) -> None:
        action = (event.button.id or "").removeprefix("do-")
        self.call_later(self.run_action, action)

    @on(DataTable.RowSelected, "#queue")
    def _row_selected(self) -> None:
        self.action_call_selected()

    def _act(self, call: Callable[[], Any], done: Callable[[Any], Any] | None = None) -> None:
        """Run an action, then read the queue in the same worker and show both at once.

        One worker instead of the action's and then a refresh's: the answer (its notice)
        and the table change land in the same frame, one layout instead of two. The
        refresh guard holds: the read is only done when no other read runs (``_busy`` is
        taken here, on the UI thread, and given back by ``_apply``); otherwise, or when
        the action failed or is tried again, the desk refreshes the usual way afterwards.
        """
        actor = self.frontdesk.actor
        hold = actor is not None and not self._busy
        if hold:
            self._busy = True
        held = [hold]

        def job() -> tuple[Any, DeskUpdate | None, str]:
            try:
                result = call()
            except BaseException:
                if held[0]:  # give the guard back before the refusal (or a retry) runs
                    held[0] = False
                    self.app.call_from_thread(self._apply, None)
                raise
            if not held[0] or actor is None:
                return result, None, "refresh"
            held[0] = False  # from here on the answer gives the guard back
            try:
                return result, self._fetch(actor, True, stock=False), "apply"
            except Exception:  # read again by an ordinary refresh
                return result, None, "release"

        def finished(answer: tuple[Any, DeskUpdate | None, str]) -> None:
            result, update, then = answer
            if done is not None:
                done(result)
            if then == "apply":
                self._apply(update)
                return
            if then == "release":
                self._busy = False
            self.refresh_queue(force=True)

        run_service(self, job, done=finished, failed=self._refused)

    def _refused(self, error: FrontdeskError) -> None:
        self.show_refusal(error)
        self.refresh_queue(force=True)

    def _need_current(self) -> TicketInfo | None:
        if self._current is None:
            self.notify(
                f"No visitor at this desk: call one first ({self.key('call_next')}).",
                severity="warning",
            )
        return self._current

    def action_register(self) -> None:
        register_visitor(self)

    def action_find(self) -> None:
        from frontdesk.tui.desk.find import FindScreen

        self.app.push_screen(FindScreen(), lambda _result: self.refresh_queue(force=True))

    def action_call_next(self) -> None:
        actor = self.frontdesk.actor
        if actor is None:
            return

        def called(ticket: TicketInfo | None) -> None:
            # No toast when someone is called: the big number and the visitor's card are
            # the answer. A toast said it a third time, hid part of the queue for five
            # seconds in a busy hour, and mounting it (and taking it down) cost as much as
            # the rest of the key press.
            if ticket is None:
                self.notify("Nobody is waiting for this desk.")
            else:
                self.start_appointment(ticket)

        self._act(lambda: self.services.queue.call_next(actor, self.desk), called)

    def _act_on_current(
        self, call: Callable[[Actor, int], TicketInfo], done: Callable[[TicketInfo], Any]
    ) -> None:
        """Run a queue call on this desk's visitor's ticket (``call(actor, ticket_id)``)."""
        actor, current = self.frontdesk.actor, self._need_current()
        if actor and current:
            self._act(lambda: call(actor, current.id), done)

    def action_recall(self) -> None:
        self._act_on_current(
            self.services.queue.recall, lambda t: self.notify(f"Calling {t.label} again.")
        )

    def action_transfer(self) -> None:
        actor, current = self.frontdesk.actor, self._need_current()
        if not (actor and current):
            return

        def picked(code: str | None) -> None:
            if code:
                self._act(
                    lambda: self.services.queue.transfer(actor, current.id, code),
                    lambda t: self.notify(f"{t.label} now waits for {t.service_name}."),
                )

        def show(services: list[Any]) -> None:
            from frontdesk.tui.desk.dialogs import ServicePickModal

            others = [s for s in services if s.code != current.service_code]
            self.app.push_screen(ServicePickModal(f"Transfer {current.label} to…", others), picked)

        run_service(self, self.services.queue.services, done=show)

    def action_no_show(self) -> None:
        self._act_on_current(
            self.services.queue.no_show, lambda t: self._visit_closed(t, "marked as a no-show")
        )

    def _visit_closed(self, ticket: TicketInfo, what: str) -> None:
        self._last_closed = ticket
        self.notify(f"{ticket.label} {what}. {self.key('desk_undo')} takes it back.")

    def action_undo(self) -> None:
        actor, last = self.frontdesk.actor, self._last_closed
        if actor is None:
            return
        if last is None:
            self.notify("Nothing to take back at this desk.", severity="warning")
            return

        def undone(ticket: TicketInfo) -> None:
            self._last_closed = None
            self.notify(f"{ticket.label} is back at this desk.")

        self._act(lambda: self.services.queue.undo(actor, last.id), undone)

    def action_finish(self) -> None:
        actor, current = self.frontdesk.actor, self._need_current()
        if not (actor and current):
            return
        from frontdesk.tui.desk.dialogs import OutcomeModal

        modal = OutcomeModal(
            current.label,
            lambda note: self.services.queue.finish(actor, current.id, note),
            quick_actions=current.visitor_id is not None,
        )

        def finished(ticket: TicketInfo | None) -> None:
            if ticket is not None:
                self._visit_closed(ticket, "finished")
                # The quick actions ticked in the dialog, for the visitor who just left the desk.
                steps: list[str] = [s for s in ("pack", "referral") if s in modal.follow_ups]
                self._follow_up(current, steps)
            self.refresh_queue(force=True)

        self.app.push_screen(modal, finished)

    def _follow_up(self, ticket: TicketInfo, steps: list[str]) -> None:
        """Open the pack and referral dialogs one after the other for this ticket's visitor."""
        if not steps:
            return
        step, rest = steps[0], steps[1:]
        opener = open_pack if step == "pack" else open_referral
        opener(self, ticket, lambda: self._follow_up(ticket, rest))

    # -- my current visitor: a welcome pack, a referral ----------------------------------
    def _need_visitor(self, what: str) -> TicketInfo | None:
        current = self._need_current()
        if current is not None and current.visitor_id is None:
            self.notify(
                f"{current.label} is an anonymous walk-in: {what} needs a visitor record. "
                f"Press {self.key('register')} to register the visitor on {current.label}.",
                severity="warning",
            )
            return None
        return current

    def action_pack(self) -> None:
        current = self._need_visitor("a welcome pack")
        if current is not None:
            open_pack(self, current)

    def action_referral(self) -> None:
        current = self._need_visitor("a referral")
        if current is not None:
            open_referral(self, current)

    def start_appointment(self, ticket: TicketInfo) -> None:
        """A BSN household's ticket was called here: its appointment is now in progress."""
        start_appointment(self, ticket)

    def action_hold(self) -> None:
        self._act_on_current(
            self.services.queue.hold,
            lambda t: self.notify(f"{t.label} is on hold; {self.key('resume')} takes it back."),
        )

    def action_resume(self) -> None:
        actor = self.frontdesk.actor
        if actor is None:
            return
        chosen = self.highlighted()
        if chosen is None or chosen.status != "on_hold":
            mine = [
                t for t in self._tickets.values() if t.status == "on_hold" and t.desk == self.desk
            ]
            chosen = max(mine, key=lambda t: t.called_at or t.arrived_at) if mine else None
        if chosen is None:
            self.notify("No visitor on hold at this desk.", severity="warning")
            return
        ticket = chosen
        self._act(
            lambda: self.services.queue.resume(actor, ticket.id, self.desk),
            self.start_appointment,  # shown like F4's call: no toast
        )

    def action_call_selected(self) -> None:
        call_selected(self)

    def action_cancel_ticket(self) -> None:
        cancel_ticket(self)

    def _no_visitor(self) -> str:
        return f"No visitor: press {self.key('call_next')} to call the next one."

    def buttons(self) -> list[Binding]:
        """The desk's action buttons, one per binding (but Ctrl+Z), in the bindings' order."""
        return [b for b in declared(self.BINDINGS) if b.id not in NO_BUTTON]

    def commands(self) -> Iterable[SystemCommand]:
        return palette_commands(self, self.BINDINGS, "Desk")
