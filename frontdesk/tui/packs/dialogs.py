"""The packs' dialogs: a small form, picking a visitor, handing out a pack, a kind's history."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.packs import (
    MOVEMENT_LABELS,
    IssuedPack,
    IssueOption,
    Movement,
    PackKind,
    Period,
    PeriodRow,
    period_label,
)
from frontdesk.tui.base import services_of
from frontdesk.tui.dialogs import Dialog
from frontdesk.tui.screens.visitor_pick import VisitorPickModal as VisitorPickModal
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service

T = TypeVar("T")


def _local(node: Widget | ModalScreen[Any], moment: datetime) -> datetime:
    return services_of(node).clock.to_local(moment)


class IssuePackModal(Dialog[IssuedPack | None]):
    """Hand a pack to one visitor: pick the kind with Enter; a second of a kind needs a reason.

    Reusable from any screen: ``push_screen(IssuePackModal(visitor_id, label), callback)``.
    Dismissed with the issued pack, or None when cancelled.
    """

    ASK_BEFORE_DISCARD = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="issue_cancel", tooltip="Close; hand out nothing"),
    ]

    def __init__(self, visitor_id: int, visitor_label: str, *, welcome_bag: bool = False) -> None:
        super().__init__("Hand out a welcome pack", box_classes="pack-issue")
        self.visitor_id = visitor_id
        self.visitor_label = visitor_label
        self.options: list[IssueOption] = []
        self.pending: IssueOption | None = None
        # At a BSN completion: the welcome-bag kind is highlighted; None found: the clerk
        # picks (nothing highlighted, so Enter does not hand out whatever comes first).
        self.welcome_bag = welcome_bag
        self.preferred: int | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Text(f"To: {self.visitor_label}"), id="issue-visitor")
        yield OptionList(id="issue-kinds")
        yield Field(
            "Reason for another pack of this kind",
            Input(id="override_reason", max_length=500),
            name="override_reason",
        )
        yield Static("Loading the pack kinds…", id="issue-message")
        yield Static("Enter hands out the highlighted pack · Escape cancels", id="issue-keys")

    def on_mount(self) -> None:
        self.query_one("#field-override_reason", Field).display = False
        self.load()

    def load(self) -> None:
        services, actor, visitor_id = self.services, self.actor, self.visitor_id
        if self.welcome_bag and self.preferred is None:
            configured = services.settings.welcome_bag_kind

            def both() -> tuple[list[IssueOption], PackKind | None]:
                return (
                    services.packs.issue_options(actor, visitor_id),
                    services.packs.welcome_bag_kind(actor, configured),
                )

            run_service(self, both, done=self._show_bag, failed=self._refused)
            return
        run_service(
            self,
            lambda: services.packs.issue_options(actor, visitor_id),
            done=self._show,
            failed=self._refused,
        )

    def _show_bag(self, loaded: tuple[list[IssueOption], PackKind | None]) -> None:
        options, bag = loaded
        self.preferred = bag.id if bag is not None else None
        self._show(options)

    def _show(self, options: list[IssueOption]) -> None:
        self.options = options
        kinds = self.query_one("#issue-kinds", OptionList)
        kinds.clear_options()
        for option in options:
            kind = option.kind
            line = Text(f"{kind.name:<24}")
            line.append("out of stock" if kind.out else f"{kind.stock:>4} left", style="bold")
            if kind.low and not kind.out:
                line.append("  LOW")
            if option.last_given:
                line.append(f"  · already received {_local(self, option.last_given):%d %b %Y}")
            kinds.add_option(Option(line, id=str(kind.id), disabled=kind.out))
        message = self.query_one("#issue-message", Static)
        if not options:
            message.update("There are no pack kinds yet; the team lead adds them.")
            return
        message.update("")
        first = next((i for i, o in enumerate(options) if not o.kind.out), None)
        if self.welcome_bag:
            first = next((i for i, o in enumerate(options) if o.kind.id == self.preferred), None)
            if first is None:
                message.update(
                    "No welcome-bag pack kind is set: pick the kind with the arrows, then Enter."
                )
            elif options[first].kind.out:
                message.update(f"The {options[first].kind.name} is out of stock.")
                first = None
        if first is None:
            if not self.welcome_bag:
                message.update("Every pack kind is out of stock.")
        else:
            kinds.highlighted = first
        kinds.focus()

    @on(OptionList.OptionSelected, "#issue-kinds")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option = self.options[event.option_index]
        field = self.query_one("#field-override_reason", Field)
        if option.last_given is not None:
            self.pending = option
            field.display = True
            field.label = f"Reason for another {option.kind.name}"
            field.query_one(".field-label", Label).update(field.label)
            when = _local(self, option.last_given)
            self.query_one("#issue-message", Static).update(
                f"This visitor already received a {option.kind.name} on {when:%d %b %Y}. "
                "Type why they get another and press Enter (Escape cancels)."
            )
            self.query_one("#override_reason", Input).focus()
            return
        self.pending = None
        field.display = False
        self._issue(option, None)

    @on(Input.Submitted, "#override_reason")
    def _with_reason(self, event: Input.Submitted) -> None:
        event.stop()
        if self.pending is not None:
            self._issue(self.pending, event.value)

    def _issue(self, option: IssueOption, reason: str | None) -> None:
        services, actor, visitor_id = self.services, self.actor, self.visitor_id
        kind_id = option.kind.id
        run_service(
            self,
            lambda: services.packs.issue(actor, kind_id, visitor_id, reason),
            done=self.dismiss,
            failed=self._refused,
            exclusive=True,
            group="issue-pack",
        )

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and error.field == "override_reason":
            self.query_one("#issue-message", Static).update("")
            show_field_errors(self, "override_reason", error.message)
            return
        self.query_one("#issue-message", Static).update(Text(error.message))
        if isinstance(error, ValidationError) and error.field == "kind":
            # The stock changed under us (another desk was faster): show it as it is now.
            services, actor, visitor_id = self.services, self.actor, self.visitor_id
            message = error.message

            def shown(options: list[IssueOption]) -> None:
                self._show(options)
                self.query_one("#issue-message", Static).update(Text(message))

            run_service(self, lambda: services.packs.issue_options(actor, visitor_id), done=shown)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PackHistoryModal(Dialog[None]):
    """One kind's stock movements, and its counts per day, week or month."""

    BOX_ID = "history-box"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="history_close", tooltip="Back to the stock"),
        Binding("d", "period('day')", "Per day", id="history_day", tooltip="Counts per day"),
        Binding("w", "period('week')", "Per week", id="history_week", tooltip="Counts per week"),
        Binding(
            "m", "period('month')", "Per month", id="history_month", tooltip="Counts per month"
        ),
    ]

    def __init__(self, kind: PackKind) -> None:
        super().__init__(Text(f"{kind.name}: stock history"))
        self.kind = kind
        self.period = "week"

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="history-moves", cursor_type="row", zebra_stripes=True)
        yield Label("", id="history-period-title")
        yield DataTable(id="history-periods", cursor_type="row", zebra_stripes=True)
        yield Static(
            "d / w / m: counts per day, week or month · Tab: next table · Escape: close",
            id="history-keys",
        )

    def on_mount(self) -> None:
        moves = self.query_one("#history-moves", DataTable)
        moves.add_columns("When", "Change", "Why", "Stock after", "By", "Note")
        periods = self.query_one("#history-periods", DataTable)
        periods.add_columns("Period", "Received", "Stock-take", "Handed out", "Stock at end")
        services, actor, kind_id = self.services, self.actor, self.kind.id
        run_service(self, lambda: services.packs.history(actor, kind_id), done=self._moves)
        self.action_period("week")
        moves.focus()

    def _moves(self, rows: list[Movement]) -> None:
        table = self.query_one("#history-moves", DataTable)
        table.clear()
        for m in rows:
            table.add_row(
                f"{_local(self, m.at):%a %d %b %Y %H:%M}",
                f"{m.quantity:+d}",
                MOVEMENT_LABELS.get(m.reason, m.reason),
                str(m.stock_after),
                Text(m.staff or "—"),
                Text(m.note or ""),
            )

    def action_period(self, period: str) -> None:
        self.period = period
        services, actor, kind_id = self.services, self.actor, self.kind.id
        run_service(
            self,
            lambda: services.packs.per_period(actor, period, kind_id=kind_id),
            done=self._periods,
            group="history-period",
            exclusive=True,
        )

    def _periods(self, rows: list[PeriodRow]) -> None:
        periods: dict[str, Period] = {"day": "day", "week": "week", "month": "month"}
        per = periods[self.period]
        self.query_one("#history-period-title", Label).update(
            f"Per {per} (the last year, newest first)"
        )
        table = self.query_one("#history-periods", DataTable)
        table.clear()
        for r in reversed(rows):
            table.add_row(
                period_label(r.start, per),
                str(r.received),
                f"{r.corrected:+d}" if r.corrected else "0",
                str(r.issued),
                str(r.stock_end),
            )

    def action_close(self) -> None:
        self.dismiss(None)
