"""Textual's Footer, recomposed once per burst of binding changes instead of once per change.

Textual's Footer schedules a full recompose (every key removed and mounted again, each with
its styles worked out) on *every* "bindings updated" signal; mounting a screen and moving
the focus send several in a row, so a start rebuilt each footer five times. This one
schedules at most one pending recompose; it runs after the refresh, so it shows the
bindings as they are then, exactly what the last of the recomposes would have shown.
Its keys are made with the footer's ``compact`` already set, so mounting one styles it
once (``textual_compat.preset_footer_key``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from frontdesk.tui.textual_compat import footer_bindings_ready, preset_footer_key


class CoalescingFooter(Footer):
    _recompose_pending = False

    def compose(self) -> ComposeResult:
        compact = self.compact
        for widget in super().compose():
            preset_footer_key(widget, compact)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        footer_bindings_ready(self)
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()
