"""The header: app name, screen, desk number, who is logged in, and the local time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

from frontdesk.services.dates import format_date
from frontdesk.tui.base import frontdesk_app, services_of


class DeskHeader(Horizontal):
    """One line at the top of every working screen."""

    staff: reactive[str] = reactive("")
    place: reactive[str] = reactive("")

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Static("frontdesk", id="brand")
        yield Static(self.title_text, id="screen-title")
        yield Static("", id="place")
        yield Static("", id="who")
        yield Static("", id="clock")

    def on_mount(self) -> None:
        app = frontdesk_app(self)
        self.place = f"Desk {app.settings.desk}"
        actor = app.actor
        self.staff = actor.name if actor else ""
        self._tick()
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        now = services_of(self).clock.local_now()
        day = format_date(now, frontdesk_app(self).settings.date_style, weekday=True)
        self.query_one("#clock", Static).update(f"{day}  {now:%H:%M:%S}")

    def watch_staff(self, value: str) -> None:
        self.query_one("#who", Static).update(value)

    def watch_place(self, value: str) -> None:
        self.query_one("#place", Static).update(value)
