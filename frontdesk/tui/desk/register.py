"""F2: register a walk-in (new or returning visitor) and hand out a ticket in one go; or,
for the anonymous ticket being served, give that ticket its visitor record."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from frontdesk.services import (
    FrontdeskError,
    NotFound,
    ValidationError,
)
from frontdesk.services.dates import format_date
from frontdesk.services.fields import Country, country, find_countries, format_phone
from frontdesk.services.printing import print_issued
from frontdesk.services.queue import ServiceInfo, TicketInfo
from frontdesk.services.text import fold
from frontdesk.services.visitors import CATEGORIES, VisitorInput, VisitorRecord
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskScreen
from frontdesk.tui.dates import date_text
from frontdesk.tui.desk.dialogs import (
    NOT_ASKED,
    IssueAnswers,
    TicketIssuedModal,
    ask_before_issuing,
    estimated_wait,
)
from frontdesk.tui.dialogs import ConfirmModal, FormState
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.search import LatestSearch
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service

TEXT_FIELDS = (
    "given_names",
    "family_name",
    "birth_date",
    "nationality",
    "phone",
    "email",
    "employer",
    "municipality",
    "language",
    "notes",
)


class CountrySuggester(Suggester):
    """Completes a country's English or Dutch name in the field as it is typed."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if len(value) < 2:
            return None
        folded = fold(value)
        for match in find_countries(value, limit=3):
            for name in (match.name, match.dutch):
                if fold(name).startswith(folded) and len(name) > len(value):
                    return value + name[len(value) :]
        return None


def visitor_line(v: VisitorRecord, date_style: str = "dutch") -> str:
    parts = [v.full_name or "(no name)"]
    if v.birth_date:
        parts.append(f"born {format_date(v.birth_date, date_style)}")
    if v.nationality:
        parts.append(v.nationality)
    if v.phone:
        parts.append(format_phone(v.phone))
    return " · ".join(parts)


class RegisterScreen(FormState, FrontdeskScreen[TicketInfo | None]):
    """The registration form. Only a name is needed; everything else helps later."""

    HELP_TITLE = "Register a walk-in"
    CSS_PATH = [stylesheet("register.tcss")]
    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save + ticket",
            id="save",
            tooltip="Save the visitor and issue the ticket",
        ),
        Binding("escape", "close", "Cancel", id="close_form", tooltip="Close without saving"),
        Binding(
            "down",
            "suggestions",
            "Suggestions",
            id="to_suggestions",
            show=False,
            tooltip="Move into the list of countries or returning visitors",
        ),
        Binding(
            "ctrl+n",
            "unlink",
            "New visitor",
            id="unlink_visitor",
            tooltip="Do not use the returning visitor picked; register a new one",
        ),
    ]

    def __init__(
        self, services: Sequence[ServiceInfo], attach_to: TicketInfo | None = None
    ) -> None:
        """``attach_to``: an anonymous ticket that gets this visitor's record (no new ticket)."""
        super().__init__()
        self.service_choices = list(services)
        self.attach_to = attach_to
        self.visitor_id: int | None = None
        self.country_code: str | None = None
        self._found: dict[int, VisitorRecord] = {}
        self._returning = LatestSearch(self._search_returning)
        self._filling = False

    # -- layout --------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="register"):
            title = (
                f"The visitor of {self.attach_to.label} — only a name is needed"
                if self.attach_to is not None
                else "Register a walk-in — only a name is needed"
            )
            yield Label(title, id="register-title")
            with Horizontal(id="register-columns"):
                with Vertical(classes="register-column"):
                    yield self._field("Given names", "given_names")
                    yield self._field("Family name", "family_name")
                    yield self._field(
                        "Date of birth", "birth_date", placeholder="23-11-1990 or 1990-11-23"
                    )
                    yield Field(
                        "Nationality (type a name or code)",
                        Input(
                            id="nationality",
                            placeholder="e.g. neth, Nederland, NL",
                            suggester=CountrySuggester(),
                            compact=True,
                        ),
                        name="nationality",
                    )
                    yield OptionList(id="countries", classes="-empty")
                with Vertical(classes="register-column"):
                    yield self._field("Phone", "phone", placeholder="06-12345678 or +44 20 …")
                    yield self._field("E-mail", "email", placeholder="name@example.nl")
                    yield Field(
                        "Category",
                        Select(
                            [(label, code) for code, label in CATEGORIES.items()],
                            prompt="(not asked)",
                            id="category",
                            compact=True,
                        ),
                        name="category",
                    )
                    yield self._field("Employer", "employer")
                    yield self._field("Municipality", "municipality", placeholder="e.g. Leiden")
                    yield self._field("Preferred language", "language")
                with Vertical(classes="register-column"):
                    yield self._field("Notes", "notes")
                    default = "info" if any(s.code == "info" for s in self.service_choices) else ""
                    yield Field(
                        "Service wanted",
                        Select(
                            [(s.name, s.code) for s in self.service_choices],
                            allow_blank=not default,
                            value=default or Select.NULL,
                            id="service",
                            compact=True,
                        ),
                        name="service",
                    )
                    yield Checkbox(
                        "Priority (access needs, distress)",
                        id="priority",
                        compact=True,
                    )
                    yield Checkbox("No appointment mail", id="mail_opt_out", compact=True)
                    yield Label("Returning visitors", id="returning-title")
                    yield Static("", id="linked")
                    yield OptionList(id="returning")
            with Horizontal(id="register-buttons"):
                save = "Save and issue ticket" if self.attach_to is None else "Save to the ticket"
                yield Button(labelled(self, save, "save"), variant="primary", id="save")
                yield Button(labelled(self, "Cancel", "close_form"), id="cancel")
        yield Footer()

    @staticmethod
    def _field(label: str, name: str, placeholder: str = "") -> Field:
        return Field(label, Input(id=name, placeholder=placeholder, compact=True), name=name)

    def on_mount(self) -> None:
        self.query_one("#given_names", Input).focus()
        self._show_link()
        self.remember_typed()

    # -- helpers -------------------------------------------------------------------
    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def form_input(self) -> VisitorInput:
        """What the form says, as typed; the nationality as the picked code when there is one."""
        values: dict[str, Any] = {name: self._value(name) for name in TEXT_FIELDS}
        picked = country(self.country_code)
        if picked is not None and values["nationality"] in (picked.name, picked.dutch):
            values["nationality"] = picked.code
        category = self.query_one("#category", Select).value
        values["category"] = category if isinstance(category, str) else None
        values["mail_opt_out"] = self.query_one("#mail_opt_out", Checkbox).value
        return VisitorInput(**values)

    def _service_code(self) -> str:
        value = self.query_one("#service", Select).value
        return value if isinstance(value, str) else ""

    # -- nationality suggestions ---------------------------------------------------
    @on(Input.Changed, "#nationality")
    def _nationality_typed(self, event: Input.Changed) -> None:
        picked = country(self.country_code)
        if picked is None or event.value not in (picked.name, picked.dutch):
            self.country_code = None
        self._show_countries(find_countries(event.value) if not self.country_code else [])

    def _show_countries(self, matches: list[Country]) -> None:
        options = self.query_one("#countries", OptionList)
        options.clear_options()
        options.add_options(
            [Option(f"{c.name} ({c.code})  ·  {c.dutch}", id=c.code) for c in matches]
        )
        options.set_class(not matches, "-empty")
        if matches:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#countries")
    def _country_picked(self, event: OptionList.OptionSelected) -> None:
        self.pick_country(event.option.id or "")

    def pick_country(self, code: str) -> None:
        picked = country(code)
        if picked is None:
            return
        self.country_code = picked.code
        field = self.query_one("#nationality", Input)
        field.value = picked.name
        self._show_countries([])
        self.query_one("#phone", Input).focus()

    def tab_pressed(self, direction: int) -> bool:
        """Tab out of the nationality with countries listed takes the highlighted one, as
        Enter does, instead of stepping into the list (the next typing would go there).
        Called by the App's Tab binding; True when the key was used here."""
        focused = self.focused
        if direction > 0 and focused is not None and focused.id == "nationality":
            options = self.query_one("#countries", OptionList)
            if options.option_count and options.highlighted is not None:
                self._nationality_enter()
                return True
        return False

    @on(Input.Submitted, "#nationality")
    def _nationality_enter(self) -> None:
        options = self.query_one("#countries", OptionList)
        if options.option_count and options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            self.pick_country(option.id or "")
        else:
            self.focus_next()

    # -- returning visitors --------------------------------------------------------
    @on(Input.Changed, "#given_names, #family_name")
    def _name_typed(self) -> None:
        if self._filling:
            return
        self._returning.request()  # on every key (tui/search.py: the last search wins)

    def _search_returning(self) -> Worker[None] | None:
        query = f"{self._value('given_names')} {self._value('family_name')}".strip()
        if len(fold(query)) < 2:
            if self._found:  # (nothing to clear as the form opens)
                self._list_returning([])
            return None
        actor, visitors = self.actor, self.services.visitors
        return run_service(
            self,
            lambda: visitors.search(actor, query, limit=8),
            done=self._show_returning,
            group="returning",
        )

    def _show_returning(self, found: list[VisitorRecord]) -> None:
        if self._returning.answered():
            self._list_returning(found)

    def _list_returning(self, found: list[VisitorRecord]) -> None:
        self._found = {v.id: v for v in found}
        options = self.query_one("#returning", OptionList)
        options.clear_options()
        style = self.settings.date_style
        options.add_options([Option(visitor_line(v, style), id=str(v.id)) for v in found])

    @on(OptionList.OptionSelected, "#returning")
    def _returning_picked(self, event: OptionList.OptionSelected) -> None:
        visitor = self._found.get(int(event.option.id or 0))
        if visitor is not None:
            self.use_visitor(visitor)

    def use_visitor(self, v: VisitorRecord) -> None:
        """Fill the form from a returning visitor's record and link the ticket to it."""
        self._filling = True
        try:
            values = {
                "given_names": v.given_names,
                "family_name": v.family_name,
                "birth_date": date_text(self, v.birth_date),
                "phone": format_phone(v.phone),
                "email": v.email or "",
                "employer": v.employer or "",
                "municipality": v.municipality or "",
                "language": v.language or "",
                "notes": v.notes or "",
            }
            for name, value in values.items():
                self.query_one(f"#{name}", Input).value = value
            picked = country(v.nationality)
            self.country_code = picked.code if picked else None
            self.query_one("#nationality", Input).value = picked.name if picked else ""
            self.query_one("#mail_opt_out", Checkbox).value = bool(v.mail_opt_out)
            category = self.query_one("#category", Select)
            if v.category in CATEGORIES:
                category.value = v.category
            else:
                category.clear()
        finally:
            self.call_after_refresh(self._done_filling)
        self.visitor_id = v.id
        self._show_link(v)
        self._show_countries([])
        show_field_errors(self, None, None)
        self.query_one("#service", Select).focus()

    def _done_filling(self) -> None:
        self._filling = False

    def _show_link(self, v: VisitorRecord | None = None) -> None:
        linked = self.query_one("#linked", Static)
        if v is None:
            linked.update("Matches appear while you type a name; ↓ moves into the list.")
            linked.remove_class("-linked")
        else:
            linked.update(f"Using the record of {v.full_name}. Ctrl+N: register as new instead.")
            linked.add_class("-linked")

    def action_unlink(self) -> None:
        if self.visitor_id is not None:
            self.visitor_id = None
            self._show_link()
            self.notify("This will be saved as a new visitor.")

    def action_suggestions(self) -> None:
        focused = self.focused
        name = focused.id if focused else None
        if name == "nationality":
            target = self.query_one("#countries", OptionList)
        elif name in ("given_names", "family_name"):
            target = self.query_one("#returning", OptionList)
        else:
            return
        if target.option_count:
            target.focus()
            if target.highlighted is None:
                target.highlighted = 0

    # -- saving ----------------------------------------------------------------------
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        data = self.form_input()
        actor, visitors = self.actor, self.services.visitors
        if self.visitor_id is not None or not data.birth_date:
            self._register(data, self.visitor_id)
            return
        run_service(
            self,
            lambda: visitors.same_person(actor, data),
            done=lambda same: self._offer_existing(data, same),
            failed=self._failed,
        )

    def _offer_existing(self, data: VisitorInput, same: list[VisitorRecord]) -> None:
        if not same:
            self._register(data, None)
            return
        existing = same[0]

        def answered(use_existing: bool | None) -> None:
            if use_existing:
                self.visitor_id = existing.id
                self._show_link(existing)
                self._register(data, existing.id)
            else:
                self._register(data, None)

        self.app.push_screen(
            ConfirmModal(
                "A visitor with this name and date of birth is already registered:\n"
                f"{visitor_line(existing, self.settings.date_style)}\n\n"
                "Use that record instead of creating a duplicate?",
                yes="Use existing",
                no="Save as new",
            ),
            answered,
        )

    def _register(
        self, data: VisitorInput, visitor_id: int | None, answers: IssueAnswers = NOT_ASKED
    ) -> None:
        actor, queue = self.actor, self.services.queue
        settings, clock = self.settings, self.services.clock
        service = self._service_code()
        priority = self.query_one("#priority", Checkbox).value
        attach_to = self.attach_to
        if attach_to is not None:
            run_service(
                self,
                lambda: queue.attach_visitor(actor, attach_to.id, data, visitor_id=visitor_id),
                done=self._attached,
                failed=self._failed,
            )
            return

        def call() -> tuple[VisitorRecord, TicketInfo, int | None, bool | None]:
            visitor, ticket = queue.register_walk_in(
                actor,
                data,
                visitor_id=visitor_id,
                service_code=service,
                priority=priority,
                second_ticket=answers.second_ticket,
                out_of_hours=answers.out_of_hours,
            )
            wait = estimated_wait(queue.load(), ticket)
            return visitor, ticket, wait, print_issued(settings, clock, ticket, wait)

        def failed(error: FrontdeskError) -> None:
            again = partial(self._register, data, visitor_id)
            if not ask_before_issuing(self, error, answers, again):
                self._failed(error)

        run_service(self, call, done=self._registered, failed=failed)

    def _registered(
        self, result: tuple[VisitorRecord, TicketInfo, int | None, bool | None]
    ) -> None:
        _visitor, ticket, wait, printed = result
        show_field_errors(self, None, None)  # saved: no earlier message stays behind
        self.app.push_screen(
            TicketIssuedModal(ticket, wait, printed=printed), lambda _closed: self.dismiss(ticket)
        )

    def _attached(self, result: tuple[VisitorRecord, TicketInfo]) -> None:
        visitor, ticket = result
        show_field_errors(self, None, None)
        self.notify(f"{ticket.label} is now {visitor.full_name}'s ticket.")
        self.dismiss(ticket)

    def _failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and show_field_errors(
            self, error.field, error.message, error.errors
        ):
            return
        if isinstance(error, NotFound) and self.visitor_id is not None:
            self.visitor_id = None
            self._show_link()
        self.show_refusal(error)

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))
