"""The team lead's merge: the list of possible duplicates and the merge dialog.

The dialog shows the two records side by side, one row per field that differs; the lead
picks the value that stays with ← / → (or 1 / 2), may swap which record survives (s), and
merges with Ctrl+S after a confirmation. A BSN conflict has no default: the lead picks.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Label, Static

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.merge import BSN_FIELD, DuplicatePair, MergePreview, MergeResult
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskModal
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.work import run_service

MARK = "● "


def pair_cells(pair: DuplicatePair) -> tuple[str, str]:
    """The two records of a pair as the list shows them (the birth date says why)."""

    def one(which: str) -> str:
        record = pair.first if which == "first" else pair.second
        born = f"{record.birth_date:%d-%m-%Y}" if record.birth_date else "born ?"
        return f"#{record.id} {record.full_name} ({born})"

    return one("first"), one("second")


class MergeDialog(FrontdeskModal[MergeResult | None]):
    """Two visitor records side by side; the lead picks each differing field, then merges."""

    HELP_TITLE = "Merge two visitor records"
    BINDINGS = [
        Binding("left,1", "pick('survivor')", "Keep left", id="merge_pick_left"),
        Binding("right,2", "pick('other')", "Take right", id="merge_pick_right"),
        Binding("s", "swap", "Swap", id="merge_swap", tooltip="Keep the other record instead"),
        Binding("ctrl+s", "merge", "Merge", id="merge_save", tooltip="Merge the two records"),
        Binding("escape", "close", "Cancel", id="merge_cancel", tooltip="Close without merging"),
    ]

    def __init__(self, survivor_id: int, other_id: int) -> None:
        super().__init__(classes="dialog")
        self.survivor_id, self.other_id = survivor_id, other_id
        self.preview: MergePreview | None = None
        self.choices: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        # The buttons are docked at the bottom of the box; on a short terminal the body
        # above them scrolls, so Merge and Cancel stay in sight (80x24).
        with Vertical(id="dialog-box", classes="merge-box"):
            with VerticalScroll(id="merge-body"):
                yield Label("Merge two visitor records", id="dialog-title")
                yield Static("Reading both records…", id="merge-intro")
                yield DataTable(id="merge-fields", cursor_type="row", zebra_stripes=True)
                yield Static("", id="merge-error")
                yield Static(
                    "←/1 keep the left value · →/2 take the right value · "
                    "s swap which record stays",
                    id="merge-keys",
                )
            with Horizontal(id="dialog-buttons"):
                yield Button(labelled(self, "Merge", "merge_save"), variant="primary", id="merge")
                yield Button(labelled(self, "Swap", "merge_swap"), id="swap")
                yield Button(labelled(self, "Cancel", "merge_cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._say("")
        self._load()

    def _say(self, error: str) -> None:
        """The refusal under the table; no empty line when there is none."""
        line = self.query_one("#merge-error", Static)
        line.update(error)
        line.display = bool(error)

    def _load(self) -> None:
        actor, merge = self.actor, self.services.merge
        keep, other = self.survivor_id, self.other_id
        run_service(self, lambda: merge.preview(actor, keep, other), done=self._show)

    def _show(self, preview: MergePreview) -> None:
        self.preview = preview
        self.choices = {}
        for f in preview.differing:
            if f.field == BSN_FIELD and preview.bsn_conflict:
                continue  # no default: the lead must pick
            self.choices[f.field] = "survivor" if f.survivor else "other"
        same = len(preview.fields) - len(preview.differing)
        alike = {0: "No field is the same", 1: "1 field is the same"}.get(
            same, f"{same} fields are the same"
        )
        self.query_one("#merge-intro", Static).update(
            f"Record #{preview.survivor.id} stays (left); #{preview.other.id} is merged into it "
            f"and removed. {alike}; the rows below differ."
        )
        self._draw()

    def _draw(self) -> None:
        preview = self.preview
        if preview is None:
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(
            "Field", f"#{preview.survivor.id} (stays)", f"#{preview.other.id} (merged in)"
        )
        for f in preview.differing:
            side = self.choices.get(f.field)
            left = (MARK if side == "survivor" else "  ") + (f.survivor or "(empty)")
            right = (MARK if side == "other" else "  ") + (f.other or "(empty)")
            label = f.label + (" — pick one" if side is None else "")
            table.add_row(label, left, right, key=f.field)
        if preview.differing:
            table.move_cursor(row=min(max(row, 0), len(preview.differing) - 1))

    def _current_field(self) -> str | None:
        if self.preview is None or not self.preview.differing:
            return None
        row = self.query_one(DataTable).cursor_row
        fields = self.preview.differing
        return fields[row].field if 0 <= row < len(fields) else None

    def action_pick(self, side: str) -> None:
        name = self._current_field()
        if name is not None:
            self.choices[name] = side
            self._say("")
            self._draw()

    @on(Button.Pressed, "#swap")
    def action_swap(self) -> None:
        self.survivor_id, self.other_id = self.other_id, self.survivor_id
        self._say("")
        self._load()

    @on(Button.Pressed, "#merge")
    def action_merge(self) -> None:
        preview = self.preview
        if preview is None:
            return
        if preview.bsn_conflict and BSN_FIELD not in self.choices:
            self._refused(
                ValidationError(BSN_FIELD, "the two records have a different BSN: pick one")
            )
            return
        keep, other = preview.survivor.id, preview.other.id

        def answered(yes: bool | None) -> None:
            if yes:
                actor, merge, choices = self.actor, self.services.merge, dict(self.choices)
                run_service(
                    self,
                    lambda: merge.merge_visitors(actor, keep, other, choices),
                    done=self.dismiss,
                    failed=self._refused,
                )

        self.app.push_screen(
            ConfirmModal(
                f"Merge record #{other} into #{keep}? Its visits, appointments, referrals, "
                "contacts and packs move; it cannot be undone.",
                yes="Merge",
                no="Not now",
                safe_no=True,
            ),
            answered,
        )

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError):
            fields = self.preview.fields if self.preview else ()
            label = next((f.label for f in fields if f.field == error.field), "")
            self._say(f"{label}: {error.message}" if label else error.message)
            return
        self.show_refusal(error)

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        self.dismiss(None)


class DuplicatesModal(FrontdeskModal[None]):
    """Possible duplicates: pairs with the same name (any order, case or accents) and the
    same date of birth (or none on one of them). Enter opens the merge dialog."""

    HELP_TITLE = "Possible duplicates"
    BINDINGS = [
        Binding("enter", "open", "Merge…", id="duplicates_open", tooltip="Merge the pair"),
        Binding("escape", "close", "Close", id="duplicates_close", tooltip="Close the list"),
    ]

    def __init__(self, on_merged: Callable[[MergeResult], object] | None = None) -> None:
        super().__init__(classes="dialog")
        self.pairs: list[DuplicatePair] = []
        self.on_merged = on_merged

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="duplicates-box"):
            yield Label("Possible duplicates", id="dialog-title")
            yield Static("Looking…", id="duplicates-count")
            yield DataTable(id="duplicates", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Same name (any order, case or accents) and date of birth, or none on one of "
                "them. Enter merges the pair (the older record is offered as the one that "
                "stays). Escape closes.",
                id="help-foot",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Older record", "Newer record")
        table.focus()
        self.reload()

    def reload(self) -> None:
        actor, merge = self.actor, self.services.merge
        run_service(self, lambda: merge.duplicates(actor), done=self._show)

    def _show(self, pairs: list[DuplicatePair]) -> None:
        self.pairs = pairs
        table = self.query_one(DataTable)
        table.clear()
        for pair in pairs:
            table.add_row(*pair_cells(pair))
        self.query_one("#duplicates-count", Static).update(
            f"{len(pairs)} possible duplicate pairs." if pairs else "No possible duplicates."
        )

    @on(DataTable.RowSelected, "#duplicates")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.pairs):
            return
        pair = self.pairs[row]

        def merged(result: MergeResult | None) -> None:
            if result is None:
                return
            self.notify(f"Record #{result.removed_id} merged into #{result.survivor.id}.")
            if self.on_merged is not None:
                self.on_merged(result)
            self.reload()

        self.app.push_screen(MergeDialog(pair.first.id, pair.second.id), merged)

    def action_close(self) -> None:
        self.dismiss(None)
