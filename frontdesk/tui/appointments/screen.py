"""The BSN appointment book: a day of appointments, check-in, documents, BSN outcome.

Left: the day's appointments in the BSN hours with their status. Right: the selected
household, person by person, with the documents checklist and the BSN outcome (masked).
Every action is a key, a footer entry and a palette command.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from frontdesk.config import Hours
from frontdesk.services.appointments import (
    KINDS,
    RELATIONS,
    STATUSES,
    AppointmentInfo,
    PersonInfo,
    euro,
)
from frontdesk.services.visitors import VisitorRecord
from frontdesk.tui.actions import palette_commands
from frontdesk.tui.appointments.dialogs import (
    AskModal,
    BsnModal,
    HouseholdForm,
    RescheduleModal,
    TextModal,
)
from frontdesk.tui.appointments.welcome_bags import WelcomeBagsModal, complete_with_bags
from frontdesk.tui.dates import date_text
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.work import run_service

SHORT_KINDS = {
    "first_registration": "Registration",
    "bsn_collection": "Collection",
    "other": "Other",
}
# Status -> theme colour name (looked up in the running theme, never hard-coded).
STATUS_COLOURS = {
    "booked": "primary",
    "checked_in": "accent",
    "in_progress": "secondary",
    "completed": "success",
    "no_show": "error",
    "cancelled": "foreground",
    "rejected_missing_documents": "warning",
}


class AppointmentsScreen(WorkScreen):
    HELP_TITLE = "Appointments"
    MODE = "appointments"
    CSS_PATH = [stylesheet("appointments.tcss")]
    BINDINGS = [
        Binding("comma", "day(-1)", "Prev day", id="prev_day", tooltip="The day before"),
        Binding("full_stop", "day(1)", "Next day", id="next_day", tooltip="The day after"),
        Binding(
            "less_than_sign",
            "day(-7)",
            "Prev week",
            id="prev_week",
            show=False,
            tooltip="The same day last week",
        ),
        Binding(
            "greater_than_sign",
            "day(7)",
            "Next week",
            id="next_week",
            show=False,
            tooltip="The same day next week",
        ),
        Binding("g", "today", "Today", id="go_today", show=False, tooltip="Back to today"),
        Binding("n", "new", "New", id="new_appointment", tooltip="Book a new appointment"),
        Binding(
            "e",
            "edit",
            "Edit",
            id="edit_appointment",
            show=False,
            tooltip="Change the household, payer or type of the selected appointment",
        ),
        Binding(
            "r",
            "reschedule",
            "Move",
            id="reschedule_appointment",
            show=False,
            tooltip="Move the selected appointment to another day or time",
        ),
        Binding(
            "d",
            "cancel_appointment",
            "Cancel",
            id="cancel_appointment",
            show=False,
            tooltip="Cancel the selected appointment (asks for a reason)",
        ),
        Binding(
            "i",
            "check_in",
            "Check in",
            id="check_in",
            tooltip="The household has arrived: one ticket in the BSN queue",
        ),
        Binding(
            "s",
            "start",
            "Start",
            id="start_appointment",
            tooltip="Start serving the household (in progress)",
        ),
        Binding(
            "space",
            "tick",
            "Tick",
            id="tick_document",
            tooltip="Tick or untick the document under the checklist cursor",
        ),
        Binding(
            "m",
            "married",
            "Married",
            id="toggle_married",
            show=False,
            tooltip="Married or not (adds the marriage/divorce certificate)",
        ),
        Binding(
            "b",
            "bsn",
            "BSN",
            id="bsn_outcome",
            tooltip="Record the BSN outcome of the person under the checklist cursor",
        ),
        Binding(
            "v",
            "reveal",
            "Reveal",
            id="reveal_bsn",
            show=False,
            tooltip="Show the whole BSN (asks for a reason; audited)",
        ),
        Binding(
            "l",
            "letter",
            "Letter",
            id="letter_collected",
            show=False,
            tooltip="BSN collection: the letter was collected",
        ),
        Binding(
            "o",
            "no_show",
            "No-show",
            id="appointment_no_show",
            show=False,
            tooltip="The household did not come",
        ),
        Binding(
            "c",
            "complete",
            "Complete",
            id="complete_appointment",
            tooltip="Finish: documents seen, BSN outcome recorded, welcome bags given",
        ),
        Binding(
            "x",
            "reject",
            "Reject",
            id="reject_documents",
            tooltip="Documents missing: end the appointment and show what to bring next time",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None
        self.rows: list[AppointmentInfo] = []
        self.selected_id: int | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="appointments-body"):
            with Vertical(id="book-pane"):
                yield Static("", id="day-title")
                yield DataTable(id="book", cursor_type="row", zebra_stripes=True)
                yield Static("", id="day-hint")
            with Vertical(id="detail-pane"):
                yield Static("", id="summary")
                yield DataTable(id="checklist", cursor_type="row")
                yield Static("", id="history")

    def on_mount(self) -> None:
        book = self.query_one("#book", DataTable)
        # Status before payer: at 80 columns the columns that matter come first.
        book.add_columns("Time", "Household", "Type", "Status", "Ticket", "Payer")
        self.query_one("#checklist", DataTable).add_columns("", "Person / document")
        self.day = self.services.clock.today()
        self.reload()
        book.focus()

    # -- loading ---------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        if select_id is not None:
            self.selected_id = select_id
        day = self.day or self.services.clock.today()
        service, actor = self.services.appointments, self.actor
        run_service(
            self,
            lambda: (service.day(actor, day), service.hours_on(day)),
            done=self._show,
            group="book",
            exclusive=True,
        )

    def _colour(self, status: str) -> str:
        theme = self.app.current_theme
        return str(getattr(theme, STATUS_COLOURS.get(status, "foreground"), None) or "")

    def _local(self, info: AppointmentInfo) -> str:
        return str(self.services.clock.to_local(info.start_at).strftime("%H:%M"))

    def _show(self, loaded: tuple[list[AppointmentInfo], list[Hours]]) -> None:
        rows, blocks = loaded
        self.rows = rows
        assert self.day is not None
        services = self.services
        today = services.clock.today()
        label = f"{self.day:%A} {date_text(self, self.day)}"
        hours = [f"{h.start:%H:%M}-{h.end:%H:%M}" for h in blocks]
        title = f"{label}{'  (today)' if self.day == today else ''}"
        title += f"  ·  BSN hours {', '.join(hours)}" if hours else "  ·  no BSN hours"
        self.query_one("#day-title", Static).update(Text(title))
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        self.query_one("#day-hint", Static).update(
            Text(
                f"{len(rows)} appointment{'s' if len(rows) != 1 else ''} · "
                + ", ".join(f"{n} {STATUSES[s]}" for s, n in counts.items())
                if rows
                else "No appointments this day. N books one; , and . move a day."
            )
        )
        book = self.query_one("#book", DataTable)
        book.clear()
        target = 0
        for index, r in enumerate(rows):
            main = r.main
            household = Text(main.name if main else "?")
            if len(r.persons) > 1:
                household.append(f" +{len(r.persons) - 1}")
            late = f" +{r.late_minutes}'" if r.late_minutes else ""
            book.add_row(
                self._local(r),
                household,
                SHORT_KINDS[r.kind],
                Text(STATUSES[r.status] + late, style=self._colour(r.status)),
                r.ticket_label or "",
                Text(r.payer + (" (exempt)" if r.exempt else "")),
                key=str(r.id),
            )
            if r.id == self.selected_id:
                target = index
        if rows:
            book.move_cursor(row=target)
            self._detail(rows[target])
        else:
            self.selected_id = None
            self._detail(None)
        self.reloads.drawn()

    @on(DataTable.RowHighlighted, "#book")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        info = self._by_id(int(event.row_key.value))
        if info:
            self.selected_id = info.id
            self._detail(info)

    @on(DataTable.RowSelected, "#book")
    def _selected(self) -> None:
        self.action_check_in()

    def _by_id(self, appointment_id: int) -> AppointmentInfo | None:
        return next((r for r in self.rows if r.id == appointment_id), None)

    @property
    def current(self) -> AppointmentInfo | None:
        return self._by_id(self.selected_id) if self.selected_id is not None else None

    def _detail(self, info: AppointmentInfo | None) -> None:
        summary = self.query_one("#summary", Static)
        checklist = self.query_one("#checklist", DataTable)
        keep = checklist.cursor_row
        checklist.clear()
        if info is None:
            summary.update("")
            self.query_one("#history", Static).update("")
            return
        text = Text()
        text.append(f"{KINDS[info.kind]} · {self._local(info)} · {info.minutes} min\n", "bold")
        text.append(f"Booking {info.reference or '#' + str(info.id)}\n")
        text.append(f"Status: {STATUSES[info.status]}", style=self._colour(info.status))
        if info.ticket_label:
            text.append(f" · ticket {info.ticket_label}")
        if info.arrived_at:
            arrived = self.services.clock.to_local(info.arrived_at).strftime("%H:%M")
            text.append(f" · arrived {arrived}")
            if info.late_minutes:
                text.append(f" ({info.late_minutes} min late)")
        text.append(f"\nPayer: {info.payer}{' (exempt)' if info.exempt else ''}")
        text.append(f" · fee {euro(info.fee_cents)}")
        if info.kind == "bsn_collection":
            text.append(
                "\nLetter: " + ("collected" if info.letter_collected_at else "not yet collected")
            )
        summary.update(text)
        for person in info.persons:
            bag = " · welcome bag" if person.welcome_bag else ""
            married = " · married" if person.married else ""
            checklist.add_row(
                "",
                Text(f"{person.name} ({RELATIONS[person.relation].lower()}){married}", "bold"),
                key=f"p{person.id}",
            )
            if info.kind == "first_registration":
                checklist.add_row("", Text(f"  BSN: {person.bsn_text}{bag}"), key=f"b{person.id}")
            for doc in person.documents:
                checklist.add_row(
                    Text(
                        "[x]" if doc.ticked else "[ ]",
                        style=self._colour(
                            "completed" if doc.ticked else "rejected_missing_documents"
                        ),
                    ),
                    Text("  " + doc.short),
                    key=f"d{person.id}:{doc.code}",
                )
        if info.persons:
            checklist.move_cursor(row=min(keep, checklist.row_count - 1))
        extra = ""
        if info.bring_next_time:
            extra = "Bring next time: press X to show the list again."
        self.query_one("#history", Static).update(extra)

    def _checklist_key(self) -> str | None:
        checklist = self.query_one("#checklist", DataTable)
        if not checklist.row_count:
            return None
        key = checklist.coordinate_to_cell_key(checklist.cursor_coordinate).row_key.value
        return str(key) if key is not None else None

    def _person(self) -> PersonInfo | None:
        info, key = self.current, self._checklist_key()
        if info is None or key is None:
            return None
        person_id = int(key[1:].split(":")[0])
        return next((p for p in info.persons if p.id == person_id), None)

    def _need(self) -> AppointmentInfo | None:
        info = self.current
        if info is None:
            self.notify("Pick an appointment first (N books a new one).", severity="warning")
        return info

    def _act(
        self,
        call: Callable[[], AppointmentInfo],
        message: Callable[[AppointmentInfo], str] | None = None,
    ) -> None:
        def done(info: AppointmentInfo) -> None:
            if message:
                self.notify(message(info))
            self.reload(info.id)

        run_service(self, call, done=done)

    # -- moving through days ----------------------------------------------------------
    def action_day(self, delta: int) -> None:
        self.day = (self.day or self.services.clock.today()) + timedelta(days=delta)
        self.selected_id = None
        self.reload()

    def action_today(self) -> None:
        self.day = self.services.clock.today()
        self.reload()

    # -- the book --------------------------------------------------------------------
    def action_new(self) -> None:
        assert self.day is not None
        slots = self.services.appointments.slots(self.day)
        # A slot takes as many households as the lead set (one when no number is set).
        room = self.services.capacity.capacity() or 1
        taken = Counter(self._local(r) for r in self.rows if r.status != "cancelled")
        free = next((s.strftime("%H:%M") for s in slots if taken[s.strftime("%H:%M")] < room), "")
        self.app.push_screen(HouseholdForm(self.day, local_time=free), self._saved)

    def _saved(self, info: AppointmentInfo | None) -> None:
        if info is not None:
            self.day = info.day
            self.notify(f"Saved: {KINDS[info.kind]} at {self._local(info)}, {euro(info.fee_cents)}")
            self.reload(info.id)

    def action_edit(self) -> None:
        info = self._need()
        if info is None:
            return
        visitors = self.services.visitors
        actor = self.actor

        def load() -> list[VisitorRecord]:
            return [visitors.get(actor, p.visitor_id) for p in info.persons]

        run_service(
            self,
            load,
            done=lambda people: self.app.push_screen(
                HouseholdForm(info.day, info=info, visitors=people, local_time=self._local(info)),
                self._saved,
            ),
        )

    def action_reschedule(self) -> None:
        info = self._need()
        if info is not None:
            self.app.push_screen(RescheduleModal(info, self._local(info)), self._saved)

    def action_cancel_appointment(self) -> None:
        info = self._need()
        if info is None:
            return
        service, actor = self.services.appointments, self.actor
        self.app.push_screen(
            AskModal(
                "Cancel this appointment?",
                "Reason (required; e.g. the visitor called)",
                lambda reason: service.cancel(actor, info.id, reason),
                ok="Cancel the appointment",
                cancel="Keep it",
            ),
            self._after,
        )

    def _after(self, info: AppointmentInfo | None) -> None:
        if info is not None:
            self.notify(f"Appointment {STATUSES[info.status]}.")
            self.reload(info.id)

    # -- at the desk -------------------------------------------------------------------
    def action_check_in(self) -> None:
        info = self._need()
        if info is None:
            return
        service, actor = self.services.appointments, self.actor
        self._act(
            lambda: service.check_in(actor, info.id),
            lambda i: (
                f"Checked in: ticket {i.ticket_label}"
                + (f" ({i.late_minutes} min late)" if i.late_minutes else "")
            ),
        )

    def action_start(self) -> None:
        info = self._need()
        if info is not None:
            service, actor = self.services.appointments, self.actor
            self._act(lambda: service.start(actor, info.id), lambda i: "In progress.")

    def action_no_show(self) -> None:
        info = self._need()
        if info is not None:
            service, actor = self.services.appointments, self.actor
            self._act(lambda: service.no_show(actor, info.id), lambda i: "Marked no-show.")

    def action_letter(self) -> None:
        info = self._need()
        if info is not None:
            service, actor = self.services.appointments, self.actor
            self._act(
                lambda: service.letter_collected(actor, info.id), lambda i: "Letter collected."
            )

    def action_tick(self) -> None:
        key = self._checklist_key()
        person = self._person()
        if person is None or key is None or not key.startswith("d"):
            self.notify(
                "Move the checklist cursor to a document (Tab, then the arrows).",
                severity="warning",
            )
            return
        code = key.split(":", 1)[1]
        ticked = next((d.ticked for d in person.documents if d.code == code), False)
        service, actor = self.services.appointments, self.actor
        self._act(lambda: service.tick_document(actor, person.id, code, not ticked))

    def action_married(self) -> None:
        person = self._person()
        if person is None:
            return
        service, actor = self.services.appointments, self.actor
        self._act(lambda: service.set_married(actor, person.id, not person.married))

    def action_bsn(self) -> None:
        person = self._person()
        if person is None:
            self.notify("Move the checklist cursor to a person first.", severity="warning")
            return
        if self.current is None or self.current.kind != "first_registration":
            self.notify("Only a first registration issues a BSN.", severity="warning")
            return
        store = self.services.settings.bsn_storage == "number"
        self.app.push_screen(BsnModal(person, store), self._after_bsn)

    def _after_bsn(self, info: AppointmentInfo | None) -> None:
        if info is not None:
            self.notify("BSN outcome recorded.")
            self.reload(info.id)

    def action_reveal(self) -> None:
        person = self._person()
        if person is None:
            self.notify("Move the checklist cursor to a person first.", severity="warning")
            return
        service, actor = self.services.appointments, self.actor

        def shown(number: str | None) -> None:
            if number:
                self.app.push_screen(TextModal(f"BSN of {person.name}", number))

        self.app.push_screen(
            AskModal(
                "Show the whole BSN",
                "Why do you need it? (written to the audit log)",
                lambda reason: service.reveal_bsn(actor, person.id, reason),
            ),
            shown,
        )

    def action_complete(self) -> None:
        info = self._need()
        if info is None:
            return
        services, actor = self.services, self.actor
        if info.kind != "first_registration":
            self._act(
                lambda: services.appointments.complete(actor, info.id), lambda i: "Completed."
            )
            return

        def bags_done(result: AppointmentInfo | None) -> None:
            if result is not None:
                given = sum(p.welcome_bag for p in result.persons)
                self.notify(f"Completed; welcome bag given to {given} of {len(result.persons)}.")
                self.reload(result.id)

        # Completed first (the flags only for packs already given); then a pack per person
        # from the stock, each one setting that person's "welcome bag" flag.
        run_service(
            self,
            lambda: complete_with_bags(services, actor, info.id),
            done=lambda done: self.app.push_screen(WelcomeBagsModal(done), bags_done),
        )

    def action_reject(self) -> None:
        info = self._need()
        if info is None:
            return
        if info.status == "rejected_missing_documents" and info.bring_next_time:
            self.app.push_screen(TextModal("Bring next time", info.bring_next_time))
            return
        service, actor = self.services.appointments, self.actor

        def done(result: AppointmentInfo) -> None:
            self.reload(result.id)
            self.app.push_screen(TextModal("Bring next time", result.bring_next_time or ""))

        run_service(self, lambda: service.reject_missing_documents(actor, info.id), done=done)

    def commands(self) -> Iterable[SystemCommand]:
        return palette_commands(self, self.BINDINGS, "Appointments")
