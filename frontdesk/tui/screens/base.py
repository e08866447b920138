"""What every working screen shares: the header, the footer, and its place among the modes."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand

from frontdesk.tui.actions import key_for
from frontdesk.tui.base import FrontdeskScreen
from frontdesk.tui.widgets.footer import CoalescingFooter
from frontdesk.tui.widgets.header import DeskHeader


class WorkScreen(FrontdeskScreen[None]):
    """A mode's base screen. Subclasses compose their body in ``compose_body``."""

    HELP_TITLE = "frontdesk"
    MODE = ""

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.HELP_TITLE)
        yield from self.compose_body()
        yield CoalescingFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        return ()

    def key(self, binding_id: str, *, prose: bool = True) -> str:
        """The user's key for one of this screen's bindings ("F4", "Ctrl+R"), for a text."""
        return key_for(self, binding_id, prose=prose)
