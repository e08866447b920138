"""Dates on screen, in the centre's style (``[display] date_style``): every screen, dialog
and widget writes a date through these two functions, never with its own strftime."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from frontdesk.services.dates import format_date, format_moment
from frontdesk.tui.base import frontdesk_app

if TYPE_CHECKING:
    from textual.dom import DOMNode


def date_text(
    node: DOMNode, day: date | None, *, weekday: bool = False, short: bool = False
) -> str:
    """``day`` as this centre writes dates ("" for none); ``weekday`` adds "Sun ";
    ``short`` leaves out the year (narrow columns)."""
    if day is None:
        return ""
    style = frontdesk_app(node).settings.date_style
    return format_date(day, style, weekday=weekday, short=short)


def moment_text(node: DOMNode, moment: datetime | None, *, seconds: bool = False) -> str:
    """An aware moment as local date and time in this centre's style ("" for none)."""
    if moment is None:
        return ""
    app = frontdesk_app(node)
    local = app.services.clock.to_local(moment)
    return format_moment(local, app.settings.date_style, seconds=seconds)
