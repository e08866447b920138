"""What the lead's tabs share: their base class and the small formatters of their figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from textual.app import ComposeResult
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


def plot_theme(plot: PlotextPlot) -> None:
    """Set the chart's plotext theme before data is added to it. Plotext gives each bar
    the colour of the theme set when the bar is added, and PlotextPlot sets its theme
    only as it draws (for its "auto" theme the name ``PlotextPlot.render`` gives it);
    the dashboard's first figures can come before its first draw."""
    name = plot.theme
    plot.plt.theme(f"textual-auto-{plot.app.theme}" if name == "auto" else name)


def minutes(value: float | None) -> str:
    return "-" if value is None else cell_text(value, "minutes")


def stats(s: Stats) -> tuple[str, str, str]:
    return minutes(s.mean), minutes(s.median), minutes(s.p90)


def clock_time(moment: datetime | None, services: Services) -> str:
    return services.clock.to_local(moment).strftime("%H:%M") if moment else ""


class LeadTab(Seam, TabPane):
    """One tab of the lead screen: it composes its own widgets and loads its own figures
    (``reload``); the screen's keys run its actions.

    A lazy tab (all but the dashboard) is an empty pane until it is first shown or an
    action needs it (``when_built``): only then are its widgets composed (``compose_tab``)
    and set up (``on_built``), so the screen opens on the dashboard alone.
    """

    LAZY: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.built = not self.LAZY
        self._building = self.built
        self._waiting: list[Callable[[Any], None]] = []

    def compose(self) -> ComposeResult:
        if self._building:
            yield from self.compose_tab()

    def compose_tab(self) -> ComposeResult:
        """The tab's widgets."""
        yield from ()

    def on_mount(self) -> None:
        if self.built:
            self.on_built()

    def on_built(self) -> None:
        """Set up the widgets once they are mounted (columns, timers)."""

    def when_built(self, do: Callable[[Self], None]) -> None:
        """Do this with the tab now if it is built, else build it and then do it (in the
        order asked)."""
        if self.built:
            do(self)
            return
        self._waiting.append(do)
        if not self._building:
            self._building = True
            self.call_later(self._build)

    async def _build(self) -> None:
        await self.recompose()
        self.built = True
        self.on_built()
        while self._waiting:
            self._waiting.pop(0)(self)

    def reload(self) -> None:
        """Load this tab's figures again."""

    def activated(self) -> None:
        """The tab was shown (built by then): its figures are loaded again."""
        self.reload()

    @property
    def shown(self) -> bool:
        """This tab is the one on screen."""
        tabs = self.screen.query_one(TabbedContent)
        return tabs.active == self.id and self.app.screen is self.screen

    def key(self, binding_id: str) -> str:
        """The user's key for one of the lead screen's bindings, for a text."""
        return key_for(self.screen, binding_id)
