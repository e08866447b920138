"""Dialogs of the referral work: a new referral, picking a visitor, one step of the work.

:class:`NewReferralModal` is reusable: the desk opens it for the visitor being served
(``NewReferralModal(visitor_id, visitor_label)``) and gets the new referral back, or None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, Select
from textual.widgets.option_list import Option

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.partners import PartnerRecord
from frontdesk.services.referrals import CONSENT_HOW, ReferralRow
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import frontdesk_app
from frontdesk.tui.dialogs import Dialog, FormModal
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.visitor_pick import VisitorPickModal as VisitorPickModal
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


def _refuse(screen: ModalScreen[Any], error: FrontdeskError) -> None:
    """A field error goes beside its field; anything else is a notice. Nothing typed is lost."""
    field = error.field if isinstance(error, ValidationError) else None
    if not (field and show_field_errors(screen, field, error.message)):
        frontdesk_app(screen).show_refusal(error)


class NewReferralModal(Dialog[ReferralRow | None]):
    """Refer one visitor to a partner: partner (by category and name), reason, consent."""

    ASK_BEFORE_DISCARD = True
    BOX_ID = "referral-box"
    BOX_TYPE = VerticalScroll

    CSS_PATH = [stylesheet("referrals.tcss")]
    HELP_TITLE = "New referral"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save referral", id="save", tooltip="Make the referral"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without a referral"),
    ]

    def __init__(self, visitor_id: int, visitor_label: str) -> None:
        super().__init__(f"New referral for {visitor_label}")
        self.visitor_id = visitor_id
        self.visitor_label = visitor_label
        self.partners: list[PartnerRecord] = []

    def compose_body(self) -> ComposeResult:
        categories = self.services.partners.categories
        how = [(label, code) for code, label in CONSENT_HOW.items()]
        with Horizontal(classes="row"):
            yield Field(
                "Category",
                Select([(c, c) for c in categories], prompt="any category", id="category"),
                name="category",
            )
            yield Field(
                "Partner name",
                Input(id="partner_query", placeholder="type to search"),
                name="partner_query",
            )
        yield Field("Partner", OptionList(id="partner"), name="partner")
        yield Field("Reason", Input(id="reason", max_length=1000), name="reason")
        yield Checkbox(
            "The visitor agrees that we share their phone and e-mail with the partner",
            id="consent",
        )
        yield Field(
            "How was consent given?",
            Select(how, prompt="pick how", id="consent_how"),
            name="consent_how",
        )

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Save", "save"), variant="primary", id="save")
        yield Button(labelled(self, "Cancel", "cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#partner_query", Input).focus()
        self._search()

    @on(Input.Changed, "#partner_query")
    @on(Select.Changed, "#category")
    def _search(self) -> None:
        text = self.query_one("#partner_query", Input).value
        category = self.query_one("#category", Select).value
        cat = category if isinstance(category, str) else None
        service = self.services.partners
        actor = self.actor
        run_service(
            self,
            lambda: service.search(actor, text, category=cat, limit=100),
            done=self._show_partners,
            group="partner-search",
            exclusive=True,
        )

    def _show_partners(self, partners: list[PartnerRecord]) -> None:
        self.partners = partners
        options = self.query_one("#partner", OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(
                    f"{p.name} — {p.category}" + (f" ({p.languages})" if p.languages else ""),
                    id=str(p.id),
                )
                for p in partners
            ]
        )
        if partners:
            options.highlighted = 0

    @on(Input.Submitted, "#partner_query")
    def _to_list(self) -> None:
        self.query_one("#partner", OptionList).focus()

    @on(OptionList.OptionSelected, "#partner")
    def _picked(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _to_consent(self) -> None:
        self.query_one("#consent", Checkbox).focus()

    def _partner_id(self) -> int | None:
        options = self.query_one("#partner", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return int(options.get_option_at_index(options.highlighted).id or 0) or None

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        partner_id = self._partner_id()
        reason = self.query_one("#reason", Input).value
        consent = self.query_one("#consent", Checkbox).value
        how = self.query_one("#consent_how", Select).value
        service = self.services.referrals
        actor = self.actor
        run_service(
            self,
            lambda: service.create(
                actor,
                visitor_id=self.visitor_id,
                partner_id=partner_id,
                reason=reason,
                consent_given=consent,
                consent_how=how if isinstance(how, str) else None,
            ),
            done=self._saved,
            failed=lambda error: _refuse(self, error),
        )

    def _saved(self, row: ReferralRow) -> None:
        self.app.notify(f"Referral to {row.partner_name} made.")
        self.dismiss(row)


@dataclass(frozen=True)
class StepField:
    name: str
    label: str
    value: str = ""
    options: Sequence[tuple[str, str]] | None = None  # a Select when given
    hint: str = ""


class StepModal(FormModal):
    """One step of working a referral (or a partner's card): the app's form (tui/dialogs.py)
    built from :class:`StepField` s. Enter moves on to the next field and saves in the last;
    ``submit`` gets text ("" where nothing was picked) and its answer closes the dialog."""

    HELP_TITLE = "Referral step"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Save this step"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without saving"),
    ]
    SAVE_BINDING, CANCEL_BINDING = "save", "cancel"

    def __init__(
        self,
        title: str,
        fields: Sequence[StepField],
        submit: Callable[[dict[str, str]], object],
        *,
        intro: str = "",
    ) -> None:
        def as_text(values: dict[str, Any]) -> object:
            return submit({k: v if isinstance(v, str) else "" for k, v in values.items()})

        super().__init__(
            title,
            [Field(f.label, _control(f), name=f.name, hint=f.hint) for f in fields],
            as_text,
            intro=intro,
            box_classes="",
            enter_moves_on=True,
        )


def _control(field: StepField) -> Input | Select[str]:
    if field.options is None:
        return Input(field.value, id=field.name)
    return Select(
        list(field.options),
        prompt="pick one",
        id=field.name,
        value=field.value if field.value else Select.NULL,
    )
