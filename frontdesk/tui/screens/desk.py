"""The desk: today's queue and the visitor being served."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from frontdesk.tui.screens.base import WorkScreen


class DeskScreen(WorkScreen):
    HELP_TITLE = "Desk"
    MODE = "desk"

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="coming"):
            yield Static("Desk", classes="coming-title")
            yield Static(
                "Today's queue and the visitor being served will be here: register a "
                "walk-in (F2), find a visitor (F3), call next (F4), recall (F5), transfer "
                "(F6), no-show (F7) and finish (F8).",
                classes="coming-text",
            )
