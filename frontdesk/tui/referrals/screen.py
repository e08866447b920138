"""The referral worklist (what interns work all day) and the partner directory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static, Tab, Tabs

from frontdesk.services import PermissionDenied
from frontdesk.services.auth import allowed, require
from frontdesk.services.errors import Problems
from frontdesk.services.fields import format_phone, parse_date
from frontdesk.services.referrals import (
    CONSENT_HOW,
    OUTCOMES,
    VIEWS,
    ReferralDetail,
    ReferralRow,
    step_refusal,
)
from frontdesk.tui.actions import palette_commands
from frontdesk.tui.dates import date_text, moment_text
from frontdesk.tui.lead.forms import (
    FormField,
    FormModal,
    format_select,
    text_input,
    write_export,
)
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.referrals.dialogs import (
    NewReferralModal,
    StepField,
    StepModal,
)
from frontdesk.tui.referrals.partners import PartnerDirectoryScreen
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.screens.visitor_pick import pick_visitor
from frontdesk.tui.widgets.fit import FLEX, ColumnSpec, FitTable, set_columns, share_room
from frontdesk.tui.work import run_service

LIST_VIEWS = ("mine", "unassigned", "due_today", "overdue", "open", "closed")


def _local(screen: WorkScreen, moment: Any) -> str:
    return moment_text(screen, moment)


def referral_columns(room: int) -> list[ColumnSpec]:
    """The worklist's columns for a table ``room`` columns wide: at 80 columns the visitor
    keeps its name and the partner and assignee hide; with room the names are not cut."""
    if room < 60:
        narrow: list[ColumnSpec] = [
            ("id", "#", 3),
            ("follow", "Follow-up", 11),
            ("status", "Status", 9),
            ("visitor", "Visitor", FLEX),
            ("partner", "Partner", None),
            ("assignee", "Assignee", None),
        ]
        return share_room(narrow, room, least=10, most=30)
    spec: list[ColumnSpec] = [
        ("id", "#", 4),
        ("follow", "Follow-up", 12),
        ("status", "Status", 9),
        ("visitor", "Visitor", FLEX),
        ("partner", "Partner", FLEX),
        ("assignee", "Assignee", 14 if room >= 100 else 10),
    ]
    return share_room(spec, room, least=12, most=36)


class ReferralsScreen(WorkScreen):
    """Mine / unassigned / due today / overdue; open one, work it to an outcome by keys."""

    HELP_TITLE = "Referrals"
    MODE = "referrals"
    CSS_PATH = [stylesheet("referrals.tcss")]
    BINDINGS = [
        Binding(
            "1",
            "view('mine')",
            "Mine",
            id="view_mine",
            show=False,
            tooltip="Referrals assigned to me",
        ),
        Binding(
            "2",
            "view('unassigned')",
            "Unassigned",
            id="view_unassigned",
            show=False,
            tooltip="New referrals nobody picked up yet",
        ),
        Binding(
            "3",
            "view('due_today')",
            "Due today",
            id="view_due_today",
            show=False,
            tooltip="Referrals whose follow-up date is today",
        ),
        Binding(
            "4",
            "view('overdue')",
            "Overdue",
            id="view_overdue",
            show=False,
            tooltip="Referrals whose follow-up date has passed",
        ),
        Binding(
            "5",
            "view('open')",
            "All open",
            id="view_open",
            show=False,
            tooltip="Every open referral",
        ),
        Binding(
            "6",
            "view('closed')",
            "Closed",
            id="view_closed",
            show=False,
            tooltip="Closed referrals, newest first",
        ),
        Binding("p", "pick_up", "Pick up", id="pick_up", tooltip="Assign this referral to me"),
        Binding(
            "c",
            "contact",
            "Contact",
            id="record_contact",
            tooltip="Record a contact with the partner (what was said)",
        ),
        Binding(
            "f", "follow_up", "Follow-up", id="set_follow_up", tooltip="Set the next follow-up date"
        ),
        Binding(
            "a",
            "answer('accepted')",
            "Accepted",
            id="accept",
            tooltip="The partner accepted the referral",
        ),
        Binding(
            "d",
            "answer('declined')",
            "Declined",
            id="decline",
            tooltip="The partner declined the referral",
        ),
        Binding(
            "x",
            "close_referral",
            "Close",
            id="close_referral",
            tooltip="Close the referral with an outcome",
        ),
        Binding(
            "n", "new_referral", "New", id="new_referral", tooltip="Refer a visitor to a partner"
        ),
        Binding(
            "g",
            "partners",
            "Partners",
            id="partner_directory",
            tooltip="The partner directory: search by name, category, language",
        ),
        Binding("r", "refresh", "Refresh", id="refresh", show=False, tooltip="Load the list again"),
        Binding(
            "f10",
            "partner_report",
            "Partner report",
            id="partner_report",
            show=False,
            tooltip="Save the per-partner report of a period as a spreadsheet or CSV (team lead)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "mine"
        self.rows: list[ReferralRow] = []
        self._counts: dict[str, int] = {}
        self.detail: ReferralDetail | None = None

    @property
    def referrals(self) -> Any:
        return self.services.referrals

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ref-body"):
            with Vertical(id="ref-left"):
                yield Tabs(*[Tab(VIEWS[v], id=v) for v in LIST_VIEWS], id="ref-tabs")
                yield FitTable(id="ref-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="ref-empty")
            with VerticalScroll(id="ref-detail"):
                yield Static("Pick a referral to see it here.", id="ref-info")
                yield Static("", id="ref-history")

    def on_mount(self) -> None:
        table = self.query_one("#ref-table", DataTable)
        set_columns(table, referral_columns(80))
        table.focus()
        if self.actor.role != "intern" and self.view == "mine":
            self.view = "open"
        self.query_one("#ref-tabs", Tabs).active = self.view
        self.action_refresh()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.frontdesk.actor is not None:
            self.action_refresh()

    # -- loading -----------------------------------------------------------------------
    def action_refresh(self) -> None:
        view, actor, service = self.view, self.actor, self.referrals
        run_service(
            self,
            lambda: (service.worklist(actor, view), service.counts(actor)),
            done=self._show,
            group="worklist",
            exclusive=True,
        )

    def _show(self, loaded: tuple[list[ReferralRow], dict[str, int]]) -> None:
        rows, counts = loaded
        self._counts = counts
        tabs = self.query_one("#ref-tabs", Tabs)
        for view in LIST_VIEWS:
            label = VIEWS[view] + (f" {counts[view]}" if view in counts else "")
            tabs.query_one(f"#{view}", Tab).label = label
        table = self.query_one("#ref-table", DataTable)
        keep = self.current_id()
        self.rows = rows
        table.clear()
        error = self.app.theme_variables.get("error", "red")
        warning = self.app.theme_variables.get("warning", "yellow")
        shown = {str(c.value) for c in table.columns}
        for row in rows:
            follow = date_text(self, row.follow_up_on, weekday=True, short=True)
            style = f"bold {error}" if row.overdue else (warning if row.due_today else "")
            cells = {
                "id": Text(str(row.id), style=style),
                "follow": Text(follow + (" !" if row.overdue else ""), style=style),
                "status": Text(row.status, style=style),
                "visitor": Text(row.visitor_name),
                "partner": Text(row.partner_name),
                "assignee": Text(row.assignee or "—", style="" if row.assignee else "dim"),
            }
            table.add_row(*(v for k, v in cells.items() if k in shown), key=str(row.id))
        empty = self.query_one("#ref-empty", Static)
        empty.update("" if rows else f"Nothing in '{VIEWS[self.view]}'.")
        if keep is not None and any(r.id == keep for r in rows):
            table.move_cursor(row=table.get_row_index(str(keep)))
        self._load_detail()
        self.reloads.drawn()

    @on(FitTable.Resized, "#ref-table")
    def _fit_columns(self, event: FitTable.Resized) -> None:
        table = self.query_one("#ref-table", DataTable)
        keep = self.current_id()  # before the rebuild: the cursor stays on this referral
        if set_columns(table, referral_columns(event.width)) and self.rows:
            self._show((self.rows, self._counts))
            if keep is not None and str(keep) in table.rows:
                table.move_cursor(row=table.get_row_index(str(keep)))

    def current_id(self) -> int | None:
        table = self.query_one("#ref-table", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    @on(DataTable.RowHighlighted, "#ref-table")
    def _highlighted(self) -> None:
        self._load_detail()

    def _load_detail(self) -> None:
        ref_id = self.current_id()
        if ref_id is None:
            self.detail = None
            self.query_one("#ref-info", Static).update("Pick a referral to see it here.")
            self.query_one("#ref-history", Static).update("")
            return
        actor, service = self.actor, self.referrals
        run_service(
            self,
            lambda: service.get(actor, ref_id),
            done=self._show_detail,
            group="detail",
            exclusive=True,
        )

    def _show_detail(self, detail: ReferralDetail) -> None:
        if detail.referral.id != self.current_id():
            return
        self.detail = detail
        r = detail.referral
        info = Text()

        def line(label: str, value: str, style: str = "") -> None:
            info.append(f"{label:<10}", style="dim")
            info.append(value + "\n", style=style)

        info.append(f"Referral #{r.id}\n", style="bold")
        line("Visitor", r.visitor_name)
        if r.consent_given:
            line("Phone", format_phone(r.visitor_phone) or "—")
            line("E-mail", r.visitor_email or "—")
            line(
                "Consent",
                f"given ({CONSENT_HOW.get(r.consent_how or '', '?')}) "
                f"{_local(self, r.consent_at) if r.consent_at else ''} by {r.consent_by or '?'}",
            )
        else:
            line("Consent", "NOT given: do not share the visitor's contact details", "bold")
        line("Partner", f"{r.partner_name} ({r.partner_category})")
        line("Reason", r.reason)
        line("Status", r.status)
        line("Assignee", r.assignee or "nobody yet")
        if r.follow_up_on:
            error = self.app.theme_variables.get("error", "red")
            note = "  OVERDUE" if r.overdue else ("  today" if r.due_today else "")
            line(
                "Follow-up",
                date_text(self, r.follow_up_on, weekday=True) + note,
                error if r.overdue else "",
            )
        if r.outcome:
            line(
                "Outcome", OUTCOMES[r.outcome] + (f" — {r.outcome_text}" if r.outcome_text else "")
            )
        line("Made", f"{_local(self, r.created_at)} by {r.created_by or '?'}")
        self.query_one("#ref-info", Static).update(info)
        history = Text("History\n", style="bold")
        for h in detail.history:
            move = (
                h.to_status
                if h.from_status in (None, h.to_status)
                else (f"{h.from_status} → {h.to_status}")
            )
            history.append(f"{_local(self, h.at)}  ", style="dim")
            history.append(f"{h.staff or '?'}: {move}")
            history.append(f"  {h.note}\n" if h.note else "\n", style="italic")
        self.query_one("#ref-history", Static).update(history)

    @on(Tabs.TabActivated, "#ref-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        view = event.tab.id or "mine"
        if view != self.view:
            self.view = view
            self.action_refresh()
        self.query_one("#ref-table", DataTable).focus()

    def action_view(self, view: str) -> None:
        self.query_one("#ref-tabs", Tabs).active = view

    # -- working a referral ------------------------------------------------------------
    def _selected(self) -> int | None:
        ref_id = self.current_id()
        if ref_id is None:
            self.app.notify("Pick a referral in the list first.", severity="warning")
        return ref_id

    def _selected_for(self, to_status: str | None) -> int | None:
        """The selected referral, if the step to ``to_status`` (None: the same status) is
        allowed from its status; else say why at once, before any form is typed."""
        ref_id = self._selected()
        row = next((r for r in self.rows if r.id == ref_id), None)
        if ref_id is None or row is None:
            return ref_id
        refused = step_refusal(row.status, to_status or row.status)
        if refused:
            self.app.notify(refused, severity="warning")
            return None
        return ref_id

    def _after(self, message: str) -> Callable[[object], None]:
        def done(result: object) -> None:
            if result is not None:
                self.app.notify(message)
                self.action_refresh()

        return done

    def _do(self, call: Callable[[], object], message: str) -> None:
        run_service(self, call, done=self._after(message))

    def action_pick_up(self) -> None:
        ref_id = self._selected()
        if ref_id is not None:
            actor, service = self.actor, self.referrals
            self._do(lambda: service.assign(actor, ref_id), "Picked up: it is on your list.")

    def action_contact(self) -> None:
        ref_id = self._selected_for("contacted")
        if ref_id is None:
            return
        actor, service = self.actor, self.referrals
        self.app.push_screen(
            StepModal(
                f"Contact with the partner about referral #{ref_id}",
                [StepField("note", "What was said (phone, e-mail...)")],
                lambda v: service.record_contact(actor, ref_id, v["note"]),
            ),
            self._after("Contact recorded."),
        )

    def action_follow_up(self) -> None:
        ref_id = self._selected_for(None)
        if ref_id is None:
            return
        actor, service = self.actor, self.referrals
        current = self.detail.referral.follow_up_on if self.detail else None
        self.app.push_screen(
            StepModal(
                f"Next follow-up for referral #{ref_id}",
                [
                    StepField(
                        "follow_up_on",
                        "Follow-up date",
                        date_text(self, current),
                        hint="e.g. 30-11-2026",
                    ),
                    StepField("note", "Note (optional)"),
                ],
                lambda v: service.set_follow_up(actor, ref_id, v["follow_up_on"], v["note"]),
            ),
            self._after("Follow-up date set."),
        )

    def action_answer(self, status: str) -> None:
        ref_id = self._selected_for(status)
        if ref_id is None:
            return
        actor, service = self.actor, self.referrals
        call = service.accept if status == "accepted" else service.decline
        self.app.push_screen(
            StepModal(
                f"The partner {status} referral #{ref_id}",
                [StepField("note", "Note (optional)")],
                lambda v: call(actor, ref_id, v["note"]),
            ),
            self._after(f"Marked as {status}."),
        )

    def action_close_referral(self) -> None:
        ref_id = self._selected_for("closed")
        if ref_id is None:
            return
        actor, service = self.actor, self.referrals
        self.app.push_screen(
            StepModal(
                f"Close referral #{ref_id}",
                [
                    StepField("outcome", "Outcome", options=[(v, k) for k, v in OUTCOMES.items()]),
                    StepField("outcome_text", "In a few words (required for 'other')"),
                ],
                lambda v: service.close(actor, ref_id, v["outcome"], v["outcome_text"]),
            ),
            self._after("Referral closed."),
        )

    def action_new_referral(self) -> None:
        if not allowed(self.actor.role, "referral.create"):
            self.app.notify(
                "Referrals are made at the desk; as intern you work them.", severity="warning"
            )
            return

        pick_visitor(
            self.app,
            "New referral: which visitor?",
            lambda who: self.app.push_screen(
                NewReferralModal(who.id, who.full_name), self._created
            ),
        )

    def _created(self, row: ReferralRow | None) -> None:
        if row is not None:
            self.action_refresh()

    def action_partners(self) -> None:
        self.app.push_screen(PartnerDirectoryScreen())

    def action_partner_report(self) -> None:
        """Per partner: referrals made, answers, outcomes, days to an outcome; no visitor data."""
        actor, service = self.actor, self.referrals
        try:
            require(actor, "referral.report")
        except PermissionDenied as refused:
            self.show_refusal(refused)
            return
        today = self.services.clock.today()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        first, last = last_month_end.replace(day=1), last_month_end

        def submit(v: dict[str, Any]) -> Path:
            problems = Problems()
            start = problems.check(parse_date, v["start"], "start", "The first day")
            end = problems.check(parse_date, v["end"], "end", "The last day")
            if start is None and "start" not in problems.errors:
                problems.errors["start"] = "type the first day of the period"
            if end is None and "end" not in problems.errors:
                problems.errors["end"] = "type the last day of the period"
            if start and end and end < start:
                problems.errors["end"] = "the last day comes before the first"
            problems.raise_any()
            assert start is not None and end is not None
            path = v["path"]
            if path.strip() == str(default):  # the suggested name follows the dates typed
                path = str(
                    default.with_name(f"partners-{start.isoformat()}-{end.isoformat()}.xlsx")
                )
            return write_export(
                path,
                v["format"],
                lambda to: service.export_report(actor, start, end, v["format"], to=to),
            )

        default = Path.home() / f"partners-{first.isoformat()}-{last.isoformat()}.xlsx"
        self.app.push_screen(
            FormModal(
                "Partner report",
                [
                    FormField("start", "First day", text_input("start", date_text(self, first))),
                    FormField("end", "Last day", text_input("end", date_text(self, last))),
                    FormField("format", "Format", format_select(formats=("xlsx", "csv"))),
                    FormField("path", "Save as (file path)", text_input("path", str(default))),
                ],
                submit,
                intro="Per partner: referrals made, accepted, declined, outcomes and the median "
                "days to an outcome. No visitor data; the export is in the audit log.",
                save_label="Save report",
            ),
            lambda path: self.notify(f"Partner report saved: {path}") if path else None,
        )

    def commands(self) -> Iterable[SystemCommand]:
        report = allowed(self.actor.role, "referral.report")
        skip = () if report else ("partner_report",)
        return palette_commands(self, self.BINDINGS, "Referrals", skip=skip)
