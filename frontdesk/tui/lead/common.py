"""What the lead's tabs share: their base class and the small formatters of their figures."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.widgets import TabbedContent, TabPane

from frontdesk.services import Services
from frontdesk.services.reports import Stats
from frontdesk.services.tables import cell_text
from frontdesk.tui.actions import key_for
from frontdesk.tui.base import Seam

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot


def plot_type() -> type[PlotextPlot]:
    """PlotextPlot, imported when first drawn: plotext costs a good part of a second."""
    from textual_plotext import PlotextPlot

    return PlotextPlot


def minutes(value: float | None) -> str:
    return "-" if value is None else cell_text(value, "minutes")


def stats(s: Stats) -> tuple[str, str, str]:
    return minutes(s.mean), minutes(s.median), minutes(s.p90)


def clock_time(moment: datetime | None, services: Services) -> str:
    return services.clock.to_local(moment).strftime("%H:%M") if moment else ""


class LeadTab(Seam, TabPane):
    """One tab of the lead screen: it composes its own widgets and loads its own figures
    (``reload``); the screen's keys run its actions."""

    def reload(self) -> None:
        """Load this tab's figures again."""

    @property
    def shown(self) -> bool:
        """This tab is the one on screen."""
        tabs = self.screen.query_one(TabbedContent)
        return tabs.active == self.id and self.app.screen is self.screen

    def key(self, binding_id: str) -> str:
        """The user's key for one of the lead screen's bindings, for a text."""
        return key_for(self.screen, binding_id)
