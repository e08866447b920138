"""Welcome packs: the stock screen, the issue dialog the desk reuses, and the lead's forms.

:class:`IssuePackModal` is the reusable piece: give it a visitor, it lists the pack kinds
with their stock, hands out the one picked with Enter, and asks for a reason when the
visitor already has that kind. It returns the :class:`IssuedPack` or None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Select, Static

from frontdesk.services import PermissionDenied
from frontdesk.services.auth import allowed, require
from frontdesk.services.packs import (
    IssuedPack,
    PackKind,
    check_export_path,
)
from frontdesk.tui.actions import palette_commands
from frontdesk.tui.base import actor_of, services_of
from frontdesk.tui.dialogs import FormModal
from frontdesk.tui.packs.dialogs import (
    IssuePackModal,
    PackHistoryModal,
)
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.screens.visitor_pick import pick_visitor
from frontdesk.tui.stock_line import low_stock_line
from frontdesk.tui.widgets.field import Field
from frontdesk.tui.work import run_service


def pack_form(
    title: str,
    intro: str,
    fields: list[Field],
    submit: Callable[[dict[str, Any]], object],
    *,
    save_label: str,
) -> FormModal:
    """The packs' form: Enter goes from field to field and saves on the last one."""
    return FormModal(title, fields, submit, intro=intro, save_label=save_label,
                     box_classes="pack-form", enter_moves_on=True)  # fmt: skip


def show_low_stock(app: App[Any]) -> None:
    """Tell the person which pack kinds to reorder (for the palette, any screen)."""

    def done(kinds: list[PackKind]) -> None:
        if kinds:
            app.notify(low_stock_line(kinds), title="Welcome packs", severity="warning", timeout=8)
        else:
            app.notify("No pack kind is low on stock.", title="Welcome packs")

    run_service(app, lambda: services_of(app).packs.low_stock(actor_of(app)), done=done)


class PacksScreen(WorkScreen):
    """Pack kinds with their stock; the lead receives, corrects and adds; anyone issues."""

    HELP_TITLE = "Welcome packs"
    MODE = "packs"
    CSS_PATH: ClassVar = [stylesheet("packs.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i",
            "issue",
            "Hand out",
            id="packs_issue",
            tooltip="Hand a pack to a visitor (find them by name first)",
        ),
        Binding(
            "r",
            "receive",
            "Receive",
            id="packs_receive",
            tooltip="Add a delivery to the selected kind's stock (team lead)",
        ),
        Binding(
            "c",
            "correct",
            "Stock-take",
            id="packs_correct",
            tooltip="Set the stock to the number counted on the shelf, with a reason (team lead)",
        ),
        Binding(
            "a", "add_kind", "Add kind", id="packs_add_kind", tooltip="Add a pack kind (team lead)"
        ),
        Binding(
            "x",
            "retire",
            "Retire",
            id="packs_retire",
            show=False,  # rare, and the lead's: F1 lists it; the footer is full
            tooltip="Retire the selected kind (no longer handed out; its history stays), "
            "or bring a retired kind back (team lead)",
        ),
        Binding(
            "h",
            "history",
            "History",
            id="packs_history",
            tooltip="Movements of the selected kind, and counts per day, week or month",
        ),
        Binding(
            "e",
            "export",
            "Export CSV",
            id="packs_export",
            tooltip="Write counts per day, week or month to a CSV file (team lead)",
        ),
        Binding("ctrl+r", "refresh", "Refresh", id="packs_refresh", tooltip="Read the stock again"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds: list[PackKind] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="packs-body"):
            yield Static("", id="packs-low")
            yield DataTable(id="pack-kinds", cursor_type="row", zebra_stripes=True)
            yield Static("", id="packs-empty")

    def on_mount(self) -> None:
        table = self.query_one("#pack-kinds", DataTable)
        table.add_column("Code", key="code")
        table.add_column("Pack kind", key="name")
        table.add_column("In stock", key="stock")
        table.add_column("Reorder at", key="threshold")
        table.add_column("", key="flag")
        table.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # -- reading ---------------------------------------------------------------------
    def action_refresh(self) -> None:
        services, actor = self.services, self.actor
        retired = allowed(actor.role, "pack.retire")  # the lead also sees retired ones
        run_service(
            self,
            lambda: services.packs.kinds(actor, include_inactive=retired),
            done=self._show,
            group="packs",
            exclusive=True,
        )

    def _show(self, kinds: list[PackKind]) -> None:
        table = self.query_one("#pack-kinds", DataTable)
        keep = self.selected.id if self.selected else None
        self.kinds = kinds
        table.clear()
        for kind in kinds:
            flag = (
                "retired" if not kind.active else "OUT" if kind.out else "LOW" if kind.low else ""
            )
            style = "dim" if not kind.active else ""
            table.add_row(
                Text(kind.code, style=style),
                Text(kind.name, style=style),
                Text(str(kind.stock), justify="right", style=style),
                Text(str(kind.threshold), justify="right", style=style),
                Text(flag, style="dim" if not kind.active else "bold"),
                key=str(kind.id),
            )
        for i, kind in enumerate(kinds):
            if kind.id == keep:
                table.move_cursor(row=i)
        low = self.query_one("#packs-low", Static)
        line = low_stock_line(
            sorted((k for k in kinds if k.low and k.active), key=lambda k: (k.stock, k.name))
        )
        low.update(Text(line))
        low.display = bool(line)
        empty = self.query_one("#packs-empty", Static)
        empty.update(
            "" if kinds else "No pack kinds yet. The team lead adds them with A (e.g. Welcome bag)."
        )

    @property
    def selected(self) -> PackKind | None:
        table = self.query_one("#pack-kinds", DataTable)
        if not self.kinds or table.cursor_row < 0 or table.cursor_row >= len(self.kinds):
            return None
        return self.kinds[table.cursor_row]

    def _may(self, action: str) -> bool:
        try:
            require(self.actor, action)
        except PermissionDenied as exc:
            self.show_refusal(exc)
            return False
        return True

    def _need_selected(self) -> PackKind | None:
        kind = self.selected
        if kind is None:
            self.notify("Pick a pack kind in the list first.", severity="warning")
        return kind

    # -- the lead's work ---------------------------------------------------------------
    def action_receive(self) -> None:
        if not self._may("pack.receive") or (kind := self._need_selected()) is None:
            return
        services, actor = self.services, self.actor

        def submit(v: dict[str, Any]) -> PackKind:
            return services.packs.receive(actor, kind.id, v["quantity"], v["note"])

        self.app.push_screen(
            pack_form(
                f"Receive {kind.name}",
                f"{kind.stock} in stock now. How many arrived?",
                [
                    Field("Number of packs", Input(id="quantity", max_length=7), name="quantity"),
                    Field(
                        "Supplier note (who delivered, order number)",
                        Input(id="note", max_length=500),
                        name="note",
                    ),
                ],
                submit,
                save_label="Add to stock",
            ),
            self._changed("received"),
        )

    def action_correct(self) -> None:
        if not self._may("pack.correct") or (kind := self._need_selected()) is None:
            return
        services, actor = self.services, self.actor

        def submit(v: dict[str, Any]) -> PackKind:
            return services.packs.correct(actor, kind.id, v["counted"], v["reason"])

        self.app.push_screen(
            pack_form(
                f"Stock-take: {kind.name}",
                f"The system says {kind.stock}. Type the number on the shelf and why it differs.",
                [
                    Field(
                        "Counted on the shelf", Input(id="counted", max_length=7), name="counted"
                    ),
                    Field("Reason", Input(id="reason", max_length=500), name="reason"),
                ],
                submit,
                save_label="Set stock",
            ),
            self._changed("corrected"),
        )

    def action_add_kind(self) -> None:
        if not self._may("pack.add_kind"):
            return
        services, actor = self.services, self.actor

        def submit(v: dict[str, Any]) -> PackKind:
            return services.packs.add_kind(actor, v["code"], v["name"], v["threshold"])

        self.app.push_screen(
            pack_form(
                "Add a pack kind",
                "Stock starts at 0; receive the first delivery with R.",
                [
                    Field("Name (e.g. Family pack)", Input(id="name", max_length=100), name="name"),
                    Field("Code (e.g. family)", Input(id="code", max_length=20), name="code"),
                    Field(
                        "Reorder when stock is at or below",
                        Input(id="threshold", value="10", max_length=7),
                        name="threshold",
                    ),
                ],
                submit,
                save_label="Add kind",
            ),
            self._changed("added"),
        )

    def action_retire(self) -> None:
        if not self._may("pack.retire") or (kind := self._need_selected()) is None:
            return
        services, actor = self.services, self.actor

        def done(changed: PackKind) -> None:
            if changed.active:
                self.notify(f"{changed.name} is back: it can be handed out again.")
            else:
                self.notify(f"{changed.name} retired: no longer handed out (X brings it back).")
            self.action_refresh()

        run_service(
            self,
            lambda: services.packs.set_active(actor, kind.id, not kind.active),
            done=done,
            failed=lambda e: self.show_refusal(e),
        )

    def _changed(self, what: str) -> Callable[[PackKind | None], None]:
        def after(kind: PackKind | None) -> None:
            if kind is None:
                return
            note = " — low: time to reorder" if kind.low else ""
            self.notify(f"{kind.name} {what}: {kind.stock} in stock{note}.")
            self.action_refresh()

        return after

    def action_export(self) -> None:
        if not self._may("pack.export"):
            return
        services, actor = self.services, self.actor

        def submit(v: dict[str, Any]) -> str:
            period = v["period"] or "week"
            path = check_export_path(v["path"])  # before the export is made
            text = services.packs.export_csv(actor, period, to=path)
            return f"Wrote {max(text.count(chr(10)) - 1, 0)} rows to {path}."

        def after(message: str | None) -> None:
            if message:
                self.notify(message)

        self.app.push_screen(
            pack_form(
                "Export the pack report (CSV)",
                "Received, stock-take and handed-out packs per kind, for the last year. "
                "No personal data.",
                [
                    Field(
                        "Per",
                        Select(
                            [("day", "day"), ("week", "week"), ("month", "month")],
                            value="week",
                            allow_blank=False,
                            id="period",
                        ),
                        name="period",
                    ),
                    Field(
                        "File to write",
                        Input(id="path", value="~/frontdesk-packs.csv", max_length=500),
                        name="path",
                    ),
                ],
                submit,
                save_label="Export",
            ),
            after,
        )

    # -- everyone ----------------------------------------------------------------------
    def action_history(self) -> None:
        if (kind := self._need_selected()) is not None:
            self.app.push_screen(PackHistoryModal(kind))

    def action_issue(self) -> None:
        if not self._may("pack.issue"):
            return

        pick_visitor(
            self.app,
            "Hand out a pack: which visitor?",
            lambda who: self.app.push_screen(IssuePackModal(who.id, who.full_name), self._issued),
        )

    def _issued(self, issued: IssuedPack | None) -> None:
        if issued is None:
            return
        tail = " — LOW stock: time to reorder" if issued.low else ""
        self.notify(
            f"Handed out: {issued.kind_name}. {issued.stock_left} left{tail}.",
            severity="warning" if issued.low else "information",
        )
        self.action_refresh()

    def commands(self) -> Iterable[SystemCommand]:
        return palette_commands(self, self.BINDINGS, "Packs")
