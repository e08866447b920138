"""What every working screen shares: the header, the footer, and its place among the modes."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from frontdesk.tui.widgets.header import DeskHeader


class WorkScreen(Screen[None]):
    """A mode's base screen. Subclasses compose their body in ``compose_body``."""

    HELP_TITLE = "frontdesk"
    MODE = ""

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.HELP_TITLE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        return ()


class ComingScreen(WorkScreen):
    """A mode whose capability has not landed yet; it says what it will hold."""

    PLANNED = ""

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="coming"):
            yield Static(self.HELP_TITLE, classes="coming-title")
            yield Static(self.PLANNED, classes="coming-text")


class AppointmentsScreen(ComingScreen):
    HELP_TITLE = "Appointments"
    MODE = "appointments"
    PLANNED = (
        "The BSN appointment book will be here: the day's appointments in the BSN hours, "
        "check-in of a household into the queue, the documents checklist per person, the "
        "BSN outcome (masked), fees and the quarterly employer invoices."
    )
