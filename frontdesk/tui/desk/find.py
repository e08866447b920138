"""F3: find a visitor (name, phone, e-mail, date of birth or ticket number), see their
visits, hand them a ticket, or log a contact that did not come in person."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.auth import allowed
from frontdesk.services.dates import format_date
from frontdesk.services.queue import (
    CHANNELS,
    STATUS_LABELS,
    ContactInfo,
    ServiceInfo,
    TicketInfo,
    VisitRecord,
)
from frontdesk.services.visitors import ContactRecord, VisitorRecord
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskScreen
from frontdesk.tui.desk.card import visitor_details
from frontdesk.tui.desk.dialogs import (
    NOT_ASKED,
    IssueAnswers,
    ServicePickModal,
    TicketIssuedModal,
    ask_before_issuing,
    estimated_wait,
)
from frontdesk.tui.desk.register import visitor_line
from frontdesk.tui.dialogs import Dialog
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.search import LatestSearch
from frontdesk.tui.widgets.contacts import contacts_text
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service

if TYPE_CHECKING:
    from frontdesk.services.merge import MergeResult

DUPLICATE_MARK = "  ⚠ possible duplicate"
REMOTE_CHANNELS = {code: label for code, label in CHANNELS.items() if code != "walk_in"}


@dataclass(frozen=True)
class FindResult:
    visitors: tuple[VisitorRecord, ...]
    ticket: TicketInfo | None
    # For the team lead: found visitor -> their likely duplicates (same name and birth).
    duplicates: dict[int, list[int]] = field(default_factory=dict)


FIND_CARD = (
    "Born",
    "Nationality",
    "Phone",
    "E-mail",
    "Category",
    "Employer",
    "Municipality",
    "Language",
    "Notes",
)


def visitor_card(
    v: VisitorRecord,
    visits: list[VisitRecord],
    contacts: Sequence[ContactRecord] = (),
    date_style: str = "dutch",
) -> Text:
    out = Text()
    out.append(v.full_name or "(no name)", style="bold")
    for line in visitor_details(v, FIND_CARD, date_style):
        out.append(f"\n{line}")
    out.append("\n\n")
    if visits:
        out.append("Visits", style="bold")
        for visit in visits:
            status = STATUS_LABELS.get(visit.status, visit.status)
            outcome = f" — {visit.outcome}" if visit.outcome else ""
            out.append(
                f"\n{format_date(visit.day, date_style)} {visit.label} {visit.service_name}"
                f" ({status}){outcome}"
            )
    else:
        out.append("No visits yet.")
    out.append(contacts_text(contacts, date_style))
    return out


class ContactModal(Dialog[ContactInfo | None]):
    """A contact by e-mail, phone or video call: channel, topic, minutes, visitor or none."""

    ASK_BEFORE_DISCARD = True

    HELP_TITLE = "Log a contact"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Save the contact"),
        Binding("escape", "cancel", "Cancel", id="close_dialog", tooltip="Close without saving"),
    ]

    def __init__(self, visitor: VisitorRecord | None) -> None:
        super().__init__("Log a contact (not in person)", box_classes="contact-box")
        self.visitor = visitor

    def compose_body(self) -> ComposeResult:
        yield Field(
            "Channel",
            Select(
                [(label, code) for code, label in REMOTE_CHANNELS.items()],
                value="email",
                allow_blank=False,
                id="channel",
            ),
            name="channel",
        )
        yield Field("Topic", Input(id="topic", placeholder="e.g. housing"), name="topic")
        yield Field("Minutes", Input(id="minutes", value="10"), name="minutes")
        if self.visitor is not None:
            yield Checkbox(f"Link to {self.visitor.full_name}", value=True, id="linked")
        else:
            yield Static("Anonymous contact (no visitor picked).", id="anonymous")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Save", "save"), variant="primary", id="save")
        yield Button(labelled(self, "Cancel", "close_dialog"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#topic", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "minutes":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        channel = self.query_one("#channel", Select).value
        topic = self.query_one("#topic", Input).value
        minutes = self.query_one("#minutes", Input).value
        visitor_id = None
        if self.visitor is not None and self.query_one("#linked", Checkbox).value:
            visitor_id = self.visitor.id
        actor = self.actor
        queue = self.services.queue
        run_service(
            self,
            lambda: queue.log_contact(actor, str(channel), topic, minutes, visitor_id),
            done=self.dismiss,
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and show_field_errors(
            self, error.field, error.message
        ):
            return
        self.show_refusal(error)


class FindScreen(FrontdeskScreen[None]):
    HELP_TITLE = "Find a visitor"
    CSS_PATH = [stylesheet("desk.tcss")]
    BINDINGS = [
        Binding(
            "ctrl+t",
            "issue",
            "Ticket",
            id="issue_ticket",
            tooltip="Hand the selected visitor a ticket",
        ),
        Binding(
            "ctrl+g",
            "log_contact",
            "Log contact",
            id="log_contact",
            tooltip="Log an e-mail, phone or video contact (for the selected visitor or anonymous)",
        ),
        Binding(
            "ctrl+e",
            "merge",
            "Merge",
            id="merge_duplicate",
            tooltip="Team lead: merge the selected visitor with a likely duplicate",
        ),
        Binding(
            "down",
            "to_results",
            "Results",
            id="to_results",
            show=False,
            tooltip="Move into the results",
        ),
        Binding("escape", "close", "Back", id="close_find", tooltip="Back to the desk"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: FindResult = FindResult((), None)
        self.selected: VisitorRecord | None = None
        self._search = LatestSearch(self._start_search)

    def compose(self) -> ComposeResult:
        with Vertical(id="find"):
            yield Label("Find a visitor", id="find-title")
            yield Input(
                id="query",
                placeholder="name, phone, e-mail, date of birth (23-11-1990) or ticket (A12)",
            )
            with Horizontal(id="find-body"):
                with Vertical(id="find-left"):
                    yield Static("", id="find-ticket")
                    yield OptionList(id="results")
                with VerticalScroll(id="find-card-scroll"):
                    yield Static("Type to search; ↓ moves into the results.", id="find-card")
            with Horizontal(id="find-buttons"):
                yield Button(
                    labelled(self, "Issue ticket", "issue_ticket"), variant="primary", id="issue"
                )
                yield Button(labelled(self, "Log contact", "log_contact"), id="contact")
                yield Button(labelled(self, "Back", "close_find"), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    # -- searching -----------------------------------------------------------------
    @on(Input.Changed, "#query")
    @on(Input.Submitted, "#query")
    def search(self) -> None:
        """Search on every key (tui/search.py: one search at a time, the last one wins)."""
        self._search.request()

    def _start_search(self) -> Worker[None]:
        query = self.query_one("#query", Input).value
        actor, services = self.actor, self.services

        def call() -> FindResult:
            ticket = services.queue.find_ticket(actor, query)
            found = services.visitors.search(actor, query)
            if ticket is not None and ticket.visitor_id is not None:
                owner = services.visitors.get(actor, ticket.visitor_id)
                found = [owner, *[v for v in found if v.id != owner.id]]
            twins: dict[int, list[int]] = {}
            if found and allowed(actor.role, "visitor.merge"):
                twins = services.merge.duplicates_of(actor, [v.id for v in found])
            return FindResult(tuple(found), ticket, twins)

        return run_service(self, call, done=self._show, group="find")

    def _show(self, result: FindResult) -> None:
        if not self._search.answered():
            return
        self.results = result
        ticket = result.ticket
        note = self.query_one("#find-ticket", Static)
        if ticket is not None:
            status = STATUS_LABELS.get(ticket.status, ticket.status)
            who = "" if ticket.visitor_id else " · anonymous"
            note.update(f"Ticket {ticket.label}: {ticket.service_name} · {status}{who}")
        else:
            note.update("")
        options = self.query_one("#results", OptionList)
        options.clear_options()
        style = self.settings.date_style
        options.add_options(
            [
                Option(
                    visitor_line(v, style) + (DUPLICATE_MARK if v.id in result.duplicates else ""),
                    id=str(v.id),
                )
                for v in result.visitors
            ]
        )
        if result.visitors:
            options.highlighted = 0
        else:
            self.selected = None
            query = self.query_one("#query", Input).value.strip()
            self.query_one("#find-card", Static).update(
                "Nobody found." if query else "Type to search; ↓ moves into the results."
            )

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        visitor = next((v for v in self.results.visitors if str(v.id) == event.option.id), None)
        self.selected = visitor
        if visitor is None:
            return
        actor, queue, people = self.actor, self.services.queue, self.services.visitors
        run_service(
            self,
            lambda: (queue.visits(actor, visitor.id), people.contacts(actor, visitor.id)),
            done=lambda read: self._show_card(visitor, *read),
            group="find-card",
            exclusive=True,
        )

    def _show_card(
        self, visitor: VisitorRecord, visits: list[VisitRecord], contacts: list[ContactRecord]
    ) -> None:
        if self.selected is not None and self.selected.id == visitor.id:
            self.query_one("#find-card", Static).update(
                visitor_card(visitor, visits, contacts, self.settings.date_style)
            )

    def action_to_results(self) -> None:
        options = self.query_one("#results", OptionList)
        if options.option_count:
            options.focus()

    # -- acting on the visitor -------------------------------------------------------
    @on(Button.Pressed, "#issue")
    def action_issue(self) -> None:
        visitor = self.selected
        if visitor is None:
            self.notify("Pick a visitor first (or register a new one with F2).")
            return
        actor, queue = self.actor, self.services.queue

        def picked(code: str | None) -> None:
            if code:
                issue(code, NOT_ASKED)

        def issue(code: str, answers: IssueAnswers) -> None:
            def call() -> tuple[TicketInfo, int | None]:
                ticket = queue.issue(
                    actor,
                    code,
                    visitor_id=visitor.id,
                    second_ticket=answers.second_ticket,
                    out_of_hours=answers.out_of_hours,
                )
                return ticket, estimated_wait(queue.load(), ticket)

            def refused(error: FrontdeskError) -> None:
                again = partial(issue, code)
                if not ask_before_issuing(self, error, answers, again, who=visitor.full_name):
                    self.show_refusal(error)

            run_service(self, call, done=issued, failed=refused)

        def issued(result: tuple[TicketInfo, int | None]) -> None:
            ticket, wait = result
            self.app.push_screen(TicketIssuedModal(ticket, wait, who=visitor.full_name))
            self._highlighted_again()

        def choose(services: list[ServiceInfo]) -> None:
            self.app.push_screen(
                ServicePickModal(
                    f"Ticket for {visitor.full_name}: which service?", services, default="info"
                ),
                picked,
            )

        run_service(self, queue.services, done=choose)

    def _highlighted_again(self) -> None:
        visitor = self.selected
        if visitor is not None:
            actor, queue, people = self.actor, self.services.queue, self.services.visitors
            run_service(
                self,
                lambda: (queue.visits(actor, visitor.id), people.contacts(actor, visitor.id)),
                done=lambda read: self._show_card(visitor, *read),
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            actor = self.frontdesk.actor
            return actor is not None and allowed(actor.role, "visitor.merge")
        return True

    def action_merge(self) -> None:
        """The lead merges the selected visitor with their (first) likely duplicate; the
        selected record is offered as the one that stays."""
        from frontdesk.tui.screens.merge import MergeDialog

        visitor = self.selected
        twins = self.results.duplicates.get(visitor.id, []) if visitor else []
        if visitor is None or not twins:
            self.notify("The selected visitor has no likely duplicate.")
            return

        def merged(result: MergeResult | None) -> None:
            if result is not None:
                self.notify(f"Record #{result.removed_id} merged into #{result.survivor.id}.")
                self.search()

        self.app.push_screen(MergeDialog(visitor.id, twins[0]), merged)

    @on(Button.Pressed, "#contact")
    def action_log_contact(self) -> None:
        def saved(contact: ContactInfo | None) -> None:
            if contact is not None:
                who = "linked to the visitor" if contact.visitor_id else "anonymous"
                label = REMOTE_CHANNELS.get(contact.channel, contact.channel)
                self.notify(f"{label} contact logged ({contact.minutes} min, {who}).")

        self.app.push_screen(ContactModal(self.selected), saved)

    @on(Button.Pressed, "#back")
    def action_close(self) -> None:
        self.dismiss(None)
