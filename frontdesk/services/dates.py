"""How a date is written for people: one function for every screen and every label.

The centre picks a style in the config file (``[display] date_style``):

- ``iso``   2026-12-06 (sorts as text, reads the same everywhere)
- ``dutch`` 06-12-2026 (the default: day first, as a Dutch form asks for it)
- ``long``  6 Dec 2026 (the month in words: no day/month mix-up)

:func:`parse_date` in ``services.fields`` reads all three back, so a form field that
starts with a date in the centre's style can be saved as it is.
"""

from __future__ import annotations

from datetime import date, datetime

DATE_STYLES = ("iso", "dutch", "long")


def format_date(
    day: date, style: str = "iso", *, weekday: bool = False, short: bool = False
) -> str:
    """``day`` in the centre's date style; ``weekday`` puts "Sun " before it; ``short``
    leaves out the year (a narrow column of this year's dates: 06-12, 12-06, 6 Dec).

    A datetime is written as its date (convert it to local time first).
    """
    if isinstance(day, datetime):
        day = day.date()
    if style == "dutch":
        text = f"{day:%d-%m}" if short else f"{day:%d-%m-%Y}"
    elif style == "long":
        text = f"{day.day} {day:%b}" if short else f"{day.day} {day:%b %Y}"
    else:
        text = f"{day:%m-%d}" if short else day.isoformat()
    return f"{day:%a} {text}" if weekday else text


def format_moment(moment: datetime, style: str = "iso", *, seconds: bool = False) -> str:
    """A local date and time: "2026-12-06 14:05" (the date in the centre's style)."""
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    return f"{format_date(moment, style)} {clock}"


def format_span(first: date, last: date, *, year: bool = False) -> str:
    """A run of days in few words: "1-6 Dec", "28 Nov-3 Dec", "1 Jan-6 Dec 2026".

    The year is added when asked, and when the run is not within one year; the report
    headings put two spans side by side ("1-6 Dec vs 1-6 Nov").
    """
    if first.year != last.year:
        return f"{first.day} {first:%b %Y}-{last.day} {last:%b %Y}"
    end = f"{last.day} {last:%b %Y}" if year else f"{last.day} {last:%b}"
    if first == last:
        return end
    if first.month == last.month:
        return f"{first.day}-{end}"
    return f"{first.day} {first:%b}-{end}"


def format_comparison(now: tuple[date, date], before: tuple[date, date]) -> str:
    """Two runs of days side by side: "1-6 Dec vs 1-6 Nov"; with their years when these
    differ ("1 Jan-6 Dec 2026 vs 1 Jan-6 Dec 2025")."""
    years = now[0].year != before[0].year or now[1].year != before[1].year
    return f"{format_span(*now, year=years)} vs {format_span(*before, year=years)}"
