"""Small modals the desk and the find screen share: pick a service, an outcome note,
the big ticket number to read out, and the questions asked before a walk-in ticket."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.services import (
    AlreadyWaiting,
    FrontdeskError,
    OutsideWalkInHours,
    ValidationError,
)
from frontdesk.services.queue import ServiceInfo, ServiceLoad, TicketInfo, wait_words
from frontdesk.tui.actions import labelled
from frontdesk.tui.dialogs import ConfirmModal, Dialog
from frontdesk.tui.widgets.bigticket import BigTicket
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


class ServicePickModal(Dialog[str | None]):
    """Pick a service (transfer, or a ticket from the find screen). Returns its code."""

    HELP_TITLE = "Pick a service"
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close without choosing")
    ]

    def __init__(
        self, title: str, services: Sequence[ServiceInfo], default: str | None = None
    ) -> None:
        super().__init__(title)
        self.choices = list(services)
        self.default = default

    def compose_body(self) -> ComposeResult:
        yield OptionList(
            *[Option(f"{s.prefix}  {s.name}", id=s.code) for s in self.choices],
            id="service-choices",
        )
        yield Static("Enter picks · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.choices:
            codes = [s.code for s in self.choices]
            options.highlighted = codes.index(self.default) if self.default in codes else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class NoteInput(Input):
    """An Input that leaves Alt+letter to the dialog's keys (a terminal sends them as a
    printable letter too, which would land in the note)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key.startswith("alt+"):
            event.prevent_default()


class FinishCheckbox(Checkbox):
    """A follow-up box in the finish dialog: Space ticks it, Enter finishes the visit (a
    Checkbox toggles on Enter too, which unticked a ticked "then a referral")."""

    BINDINGS = [
        Binding(
            "space",
            "toggle_button",
            "Tick",
            show=False,
            id="finish_tick_box",
            tooltip="Tick or untick this follow-up",
        ),
        Binding(
            "enter",
            "screen.finish",
            "Finish",
            show=False,
            id="finish_from_box",
            tooltip="Finish the visit (with the follow-ups ticked)",
        ),
    ]


class OutcomeModal(Dialog[TicketInfo | None]):
    """F8: an optional outcome note; Enter finishes (also with the note empty).

    With ``quick_actions`` (the ticket has a visitor) two checkboxes ask for a welcome pack
    and a referral once the visit is finished (Alt+P, Alt+R); the desk reads
    :attr:`follow_ups` after the dialog closed with the finished ticket.
    """

    ASK_BEFORE_DISCARD = True

    HELP_TITLE = "Finish the visit"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="close_dialog", tooltip="Do not finish yet"),
        Binding(
            "alt+p",
            "tick('then-pack')",
            "Then a pack",
            id="finish_then_pack",
            tooltip="After finishing, hand the visitor a welcome pack",
        ),
        Binding(
            "alt+r",
            "tick('then-referral')",
            "Then a referral",
            id="finish_then_referral",
            tooltip="After finishing, refer the visitor to a service partner",
        ),
    ]

    def __init__(
        self, label: str, finish: Callable[[str], TicketInfo], *, quick_actions: bool = False
    ) -> None:
        super().__init__(f"Finish {label}")
        self.label = label
        self.finish = finish
        self.quick_actions = quick_actions

    def compose_body(self) -> ComposeResult:
        yield Field(
            "Outcome note (optional)",
            NoteInput(id="outcome", placeholder="e.g. referred to the housing partner"),
            name="outcome",
        )
        if self.quick_actions:
            yield FinishCheckbox("Then hand out a welcome pack (Alt+P)", id="then-pack")
            yield FinishCheckbox("Then make a referral (Alt+R)", id="then-referral")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Finish (Enter)", variant="primary", id="finish")
        yield Button(labelled(self, "Cancel", "close_dialog"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#outcome", Input).focus()

    @property
    def follow_ups(self) -> frozenset[str]:
        """What to do after the finish: "pack", "referral" (the ticked checkboxes)."""
        return frozenset(
            box.id.removeprefix("then-")
            for box in self.query(Checkbox)
            if box.value and box.id is not None
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tick":
            return self.quick_actions
        return True

    def action_tick(self, box_id: str) -> None:
        box = self.query_one(f"#{box_id}", Checkbox)
        box.value = not box.value

    def action_finish(self) -> None:
        self._submit()

    @on(Input.Submitted)
    @on(Button.Pressed, "#finish")
    def _submit(self) -> None:
        note = self.query_one("#outcome", Input).value
        run_service(self, lambda: self.finish(note), done=self.dismiss, failed=self._failed)

    def _failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and show_field_errors(
            self, error.field, error.message
        ):
            return
        self.show_refusal(error)
        self.dismiss(None)


class TicketIssuedModal(Dialog[None]):
    """The new ticket, large, for the clerk to read out. Enter or Escape closes."""

    HELP_TITLE = "Ticket issued"
    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="close_dialog", tooltip="Back to the desk")
    ]

    def __init__(
        self,
        ticket: TicketInfo,
        wait_minutes: int | None,
        who: str = "",
        *,
        printed: bool | None = None,
    ) -> None:
        super().__init__("Ticket issued — read it out", box_classes="ticket-issued")
        self.printed = printed
        self.ticket = ticket
        self.wait_minutes = wait_minutes
        self.who = who

    def compose_body(self) -> ComposeResult:
        yield BigTicket(self.ticket.label, id="issued-number")
        yield Static(self.ticket.service_name, id="issued-service")
        if self.wait_minutes is not None:
            wait = wait_words(self.wait_minutes)
            yield Static(f"Estimated wait: {wait}", id="issued-wait")
        if self.who:
            yield Static(self.who, id="issued-who")
        if self.printed is False:
            yield Static(
                "The ticket could not be printed (is the printer on, with paper?). "
                "The ticket stands: read the number out.",
                id="issued-print-failed",
            )

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Close (Enter)", variant="primary", id="close")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


def estimated_wait(load: Sequence[ServiceLoad], ticket: TicketInfo) -> int | None:
    """The wait for a ticket just issued (the last in line): those ahead of it, not the
    ticket itself; the same figure the desk's waiting strip shows."""
    for item in load:
        if item.code == ticket.service_code:
            return item.wait_of_last
    return None


@dataclass(frozen=True)
class IssueAnswers:
    """What the clerk was asked before a walk-in ticket and said yes to (the service's
    flags of the same names): a second open ticket today; a ticket out of walk-in hours."""

    second_ticket: bool = False
    out_of_hours: bool = False


NOT_ASKED = IssueAnswers()


def ask_before_issuing(
    screen: Screen[Any],
    error: FrontdeskError,
    answers: IssueAnswers,
    again: Callable[[IssueAnswers], None],
    who: str = "This visitor",
) -> bool:
    """When a walk-in ticket was refused only because the clerk must be asked first, ask;
    yes issues it again (``again``) with that answer too, Escape leaves everything as it
    was. False for any other refusal (the caller shows it)."""
    if isinstance(error, OutsideWalkInHours):
        question = f"Walk-in hours are closed now ({error.hours}).\n\nGive a ticket anyway?"
        yes, no, then = "Give a ticket", "No ticket", replace(answers, out_of_hours=True)
    elif isinstance(error, AlreadyWaiting):
        question = (
            f"{who} already has ticket {error.label} today, still open.\n\n"
            "Give a second ticket anyway (for another service)?"
        )
        yes, no, then = "Second ticket", "No, keep one", replace(answers, second_ticket=True)
    else:
        return False

    def answered(said_yes: bool | None) -> None:
        if said_yes:
            again(then)

    screen.app.push_screen(ConfirmModal(question, yes=yes, no=no), answered)
    return True
