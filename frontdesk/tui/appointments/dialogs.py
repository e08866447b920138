"""The appointment book's dialogs: the household form, the BSN outcome, a reschedule,
a question with a reason, and a text to read or copy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.appointments import (
    KINDS,
    AppointmentInfo,
    AppointmentInput,
    PersonInfo,
    PersonInput,
)
from frontdesk.services.visitors import VisitorInput, VisitorRecord
from frontdesk.tui.actions import labelled
from frontdesk.tui.dates import date_text
from frontdesk.tui.dialogs import Dialog
from frontdesk.tui.widgets.field import Field, show_field_errors, show_refusal_beside
from frontdesk.tui.work import run_service

MEMBER_SLOTS = 4


class TextModal(Dialog[None]):
    """A text for the visitor (what to bring next time) or a revealed number: copy, close."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="close_text", tooltip="Close this box"),
        Binding("ctrl+y", "copy", "Copy", id="copy_text", tooltip="Copy the text to the clipboard"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(title, box_classes="text-box")
        self.text = text

    def compose_body(self) -> ComposeResult:
        yield TextArea(self.text, read_only=True, id="text-body")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Copy", "copy_text"), id="copy")
        yield Button("Close", variant="primary", id="close")

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied; paste it into an e-mail or a document to print.")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class AskModal(Dialog[Any]):
    """One line of text (a reason) checked by a service call before it closes."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_ask", tooltip="Close, do nothing")]

    def __init__(
        self,
        title: str,
        label: str,
        call: Callable[[str], Any],
        *,
        password: bool = False,
        ok: str = "OK",
        cancel: str = "Cancel",
    ) -> None:
        super().__init__(title)
        self.label, self.call, self.password = label, call, password
        self.ok_text, self.cancel_text = ok, cancel

    def compose_body(self) -> ComposeResult:
        yield Field(self.label, Input(id="reason", password=self.password), name="reason")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(self.ok_text, variant="primary", id="ok")
        yield Button(self.cancel_text, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one("#reason", Input).value
        run_service(self, lambda: self.call(value), done=self.dismiss, failed=self._failed)

    def _failed(self, error: FrontdeskError) -> None:
        if not show_refusal_beside(self, error, "reason"):
            show_field_errors(self, "reason", error.message)


class BsnModal(Dialog[AppointmentInfo | None]):
    """The BSN outcome of one person: issued (number typed, hidden) or by post."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_bsn", tooltip="Close, record nothing"),
        Binding("ctrl+s", "save", "Save", id="save_bsn", tooltip="Record the BSN outcome"),
    ]

    def __init__(self, person: PersonInfo, store_number: bool) -> None:
        super().__init__(f"BSN outcome: {person.name}")
        self.person, self.store_number = person, store_number

    def compose_body(self) -> ComposeResult:
        yield Field(
            "Outcome",
            Select(
                [("Issued at the desk", "issued"), ("To follow by post", "by_post")],
                value="issued",
                allow_blank=False,
                id="bsn_outcome",
            ),
            name="bsn_outcome",
        )
        if self.store_number:
            yield Field(
                "BSN (9 digits; hidden as you type)",
                Input(id="bsn", password=True, max_length=12),
                name="bsn",
            )
        else:
            yield Static("This centre keeps only 'BSN issued: yes/no'; no number is stored.")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Save", "save_bsn"), variant="primary", id="save")
        yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        outcome = str(self.query_one("#bsn_outcome", Select).value)
        number = self.query_one("#bsn", Input).value if self.store_number else None
        service = self.services.appointments
        actor, person_id = self.actor, self.person.id
        run_service(
            self,
            lambda: service.record_bsn(actor, person_id, outcome, number),
            done=self.dismiss,
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        if not show_refusal_beside(self, error, "bsn_outcome"):
            self.show_refusal(error)


class RescheduleModal(Dialog[AppointmentInfo | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_move", tooltip="Close, keep the time"),
        Binding("ctrl+s", "save", "Save", id="save_move", tooltip="Move the appointment"),
    ]

    def __init__(self, info: AppointmentInfo, local_time: str) -> None:
        super().__init__("Reschedule the appointment")
        self.info, self.local_time = info, local_time

    def compose_body(self) -> ComposeResult:
        yield Field(
            "New date",
            Input(date_text(self, self.info.day), id="day"),
            name="day",
        )
        yield Field("New time (09:30)", Input(self.local_time, id="time"), name="time")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Move", "save_move"), variant="primary", id="save")
        yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        day = self.query_one("#day", Input).value
        at = self.query_one("#time", Input).value
        service, actor, ap_id = self.services.appointments, self.actor, self.info.id
        run_service(
            self,
            lambda: service.reschedule(actor, ap_id, day, at),
            done=self.dismiss,
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        if not show_refusal_beside(self, error):
            self.show_refusal(error)


class HouseholdForm(Dialog[AppointmentInfo | None]):
    """Book or edit an appointment: time, payer, the main person and the members."""

    ASK_BEFORE_DISCARD = True
    BOX_ID = "form-box"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_form", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="save_form", tooltip="Save the appointment"),
    ]

    def __init__(
        self,
        day: date,
        *,
        info: AppointmentInfo | None = None,
        visitors: list[VisitorRecord] | None = None,
        local_time: str = "",
    ) -> None:
        super().__init__("Edit appointment" if info else "New appointment")
        self.day, self.info, self.visitors, self.local_time = day, info, visitors or [], local_time
        self.slots: list[int] = []

    def compose_body(self) -> ComposeResult:
        info = self.info
        with VerticalScroll(id="form-scroll"):
            with Horizontal(classes="form-row"):
                yield Field(
                    "Type",
                    Select(
                        [(label, code) for code, label in KINDS.items()],
                        value=info.kind if info else "first_registration",
                        allow_blank=False,
                        id="kind",
                    ),
                    name="kind",
                )
                yield Field("Date", Input(date_text(self, self.day), id="day"), name="day")
                yield Field("Time", Input(self.local_time, id="time"), name="time")
                yield Field(
                    "Minutes",
                    Input(str(info.minutes if info else 30), id="minutes"),
                    name="minutes",
                )
            with Horizontal(classes="form-row"):
                yield Field(
                    "Employer pays (blank: private)",
                    Input((info.employer or "") if info else "", id="employer"),
                    name="employer",
                )
                yield Field(
                    "Booking reference",
                    Input((info.reference or "") if info else "", id="reference"),
                    name="reference",
                )
            for i in range(MEMBER_SLOTS + 1):
                yield from self._person_row(i)

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Save", "save_form"), variant="primary", id="save")
        yield Button("Cancel", id="cancel")

    def _person_row(self, i: int) -> ComposeResult:
        person = self.info.persons[i] if self.info and i < len(self.info.persons) else None
        visitor = self.visitors[i] if i < len(self.visitors) else None
        title = "Main person" if i == 0 else f"Member {i}"
        yield Static(title, classes="form-section")
        with Horizontal(classes="form-row"):
            if i == 0:
                yield Static("main", classes="relation-main")
            else:
                yield Field(
                    "Relation",
                    Select(
                        [("Partner", "partner"), ("Child", "child")],
                        value=person.relation if person else Select.NULL,
                        prompt="(none)",
                        id=f"p{i}_relation",
                    ),
                    name=f"p{i}_relation",
                )
            values = {
                "given_names": visitor.given_names if visitor else "",
                "family_name": visitor.family_name if visitor else "",
                "birth_date": date_text(self, visitor.birth_date if visitor else None),
                "nationality": (visitor.nationality or "") if visitor else "",
            }
            labels = {
                "given_names": "Given names",
                "family_name": "Family name",
                "birth_date": "Date of birth",
                "nationality": "Nationality",
            }
            for name, label in labels.items():
                yield Field(label, Input(values[name], id=f"p{i}_{name}"), name=f"p{i}_{name}")
            yield Checkbox("Married", value=bool(person and person.married), id=f"p{i}_married")

    def on_mount(self) -> None:
        self.query_one("#time" if not self.local_time else "#p0_given_names", Input).focus()

    def read(self) -> AppointmentInput:
        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        people: list[PersonInput] = []
        self.slots = []  # the service numbers the persons given; the form numbers its slots
        for i in range(MEMBER_SLOTS + 1):
            given, family = value(f"p{i}_given_names"), value(f"p{i}_family_name")
            if i == 0:
                relation = "main"
            else:
                chosen = self.query_one(f"#p{i}_relation", Select).value
                if not (given.strip() or family.strip()):
                    continue
                relation = chosen if isinstance(chosen, str) else ""
            existing = self.visitors[i].id if i < len(self.visitors) else None
            self.slots.append(i)
            people.append(
                PersonInput(
                    relation=relation,
                    data=VisitorInput(
                        given_names=given,
                        family_name=family,
                        birth_date=value(f"p{i}_birth_date"),
                        nationality=value(f"p{i}_nationality"),
                        phone=self.visitors[i].phone if existing else None,
                        email=self.visitors[i].email if existing else None,
                    ),
                    visitor_id=existing,
                    married=self.query_one(f"#p{i}_married", Checkbox).value,
                )
            )
        return AppointmentInput(
            kind=str(self.query_one("#kind", Select).value),
            day=value("day"),
            time=value("time"),
            minutes=value("minutes"),
            employer=value("employer"),
            reference=value("reference"),
            notes=self.info.notes if self.info else None,
            people=tuple(people),
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        data = self.read()
        service, actor = self.services.appointments, self.actor
        info = self.info
        if info is None:
            call: Callable[[], AppointmentInfo] = lambda: service.book(actor, data)  # noqa: E731
        else:
            call = lambda: service.update(actor, info.id, data)  # noqa: E731
        run_service(self, call, done=self.dismiss, failed=self._failed)

    def _failed(self, error: FrontdeskError) -> None:
        field = error.field if isinstance(error, ValidationError) else None
        if field and field[:1] == "p" and "_" in field:
            head, _, rest = field.partition("_")
            if head[1:].isdigit() and int(head[1:]) < len(self.slots):
                field = f"p{self.slots[int(head[1:])]}_{rest}"
        if not show_field_errors(self, field, error.message):
            show_field_errors(self, None, None)
            self.show_refusal(error)
