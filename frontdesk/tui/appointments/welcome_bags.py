"""Completing a BSN registration: a welcome bag for each registered person, from the stock.

The appointment's "welcome bag" flag follows the packs really handed out: a person's flag is
set when the packs service records a pack for them (or when they already had one).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.services import Actor, FrontdeskError, Services
from frontdesk.services.appointments import AppointmentInfo, PersonInfo
from frontdesk.services.packs import IssuedPack
from frontdesk.tui.base import FrontdeskModal
from frontdesk.tui.packs.dialogs import IssuePackModal
from frontdesk.tui.work import run_service

RELATIONS = {"main": "main", "partner": "partner", "child": "child"}


def complete_with_bags(services: Services, actor: Actor, appointment_id: int) -> AppointmentInfo:
    """Complete the appointment; the flag is set only for persons who already got a pack."""
    info = services.appointments.get(actor, appointment_id)
    had = [p.id for p in info.persons if services.packs.issues_of(actor, p.visitor_id)]
    return services.appointments.complete(actor, appointment_id, welcome_bags=had)


class WelcomeBagsModal(FrontdeskModal[AppointmentInfo | None]):
    """One line per registered person; Enter (or the person's number) hands out a pack."""

    HELP_TITLE = "Welcome bags"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Done", id="bags_done", tooltip="Close; the bags are recorded"),
        *[
            Binding(
                str(n),
                f"person({n})",
                f"Person {n}",
                id=f"bag_person_{n}",
                show=False,
                tooltip=f"Hand a pack to person {n}",
            )
            for n in range(1, 10)
        ],
    ]

    def __init__(self, info: AppointmentInfo) -> None:
        super().__init__(classes="dialog")
        self.info = info

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="welcome-bags"):
            yield Label("Completed — welcome bags", id="dialog-title")
            yield OptionList(id="bag-persons")
            yield Static("", id="bags-message")
            yield Static(
                "Enter or 1-9 hands a pack to that person · Escape when done",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._show(self.info)
        self.query_one(OptionList).focus()

    def _show(self, info: AppointmentInfo) -> None:
        self.info = info
        options = self.query_one("#bag-persons", OptionList)
        keep = options.highlighted
        options.clear_options()
        for n, person in enumerate(info.persons, start=1):
            line = Text(f"{n}  ")
            line.append(person.name)
            line.append(f" ({RELATIONS.get(person.relation, person.relation)})")
            line.append("  ✓ bag given" if person.welcome_bag else "  no bag yet", style="bold")
            options.add_option(Option(line, id=str(person.id)))
        if info.persons:
            first_open = next((i for i, p in enumerate(info.persons) if not p.welcome_bag), None)
            options.highlighted = first_open if first_open is not None else keep or 0
        given = sum(p.welcome_bag for p in info.persons)
        self.query_one("#bags-message", Static).update(
            f"{given} of {len(info.persons)} have their welcome bag."
        )

    @on(OptionList.OptionSelected, "#bag-persons")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_person(event.option_index + 1)

    def action_person(self, number: int) -> None:
        if not 1 <= number <= len(self.info.persons):
            return
        person = self.info.persons[number - 1]
        self.app.push_screen(
            IssuePackModal(person.visitor_id, person.name, welcome_bag=True),
            lambda issued: self._issued(person, issued),
        )

    def _issued(self, person: PersonInfo, issued: IssuedPack | None) -> None:
        if issued is None:
            return
        services = self.services
        actor = self.actor
        left = f"{issued.stock_left} left" + ("; time to reorder" if issued.low else "")
        self.notify(f"{issued.kind_name} handed out ({left}).")
        run_service(
            self,
            lambda: services.appointments.welcome_bag_given(actor, person.id),
            done=self._show,
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        self.query_one("#bags-message", Static).update(Text(error.message))

    def action_close(self) -> None:
        self.dismiss(self.info)
