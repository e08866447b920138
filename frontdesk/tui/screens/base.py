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


class ReferralsScreen(ComingScreen):
    HELP_TITLE = "Referrals"
    MODE = "referrals"
    PLANNED = (
        "The referral worklist will be here: my referrals, unassigned ones to pick up, due "
        "today and overdue; record contact with the partner, set the next follow-up, close "
        "with an outcome. The partner directory sits beside it."
    )


class PacksScreen(ComingScreen):
    HELP_TITLE = "Welcome packs"
    MODE = "packs"
    PLANNED = (
        "Welcome-pack stock will be here: pack kinds with stock and low-stock thresholds, "
        "receiving and correcting stock, and the log of packs issued."
    )


class LeadScreen(ComingScreen):
    HELP_TITLE = "Team lead"
    MODE = "lead"
    PLANNED = (
        "The team lead's dashboard will be here: today's queue live, waits and service "
        "times per service and desk, the day review, period reports and exports, and the "
        "management of staff, services and opening hours."
    )
