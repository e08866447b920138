"""Reports compare like with like (issue 19): a month in progress against the same days of
the month before, said in the report; comparison columns on the services sheet; the
Markdown export writes shares as the screen does."""

from __future__ import annotations

from datetime import date, datetime

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.reports import Period, preset_period
from tests.helpers import add_ticket, at


def _tickets(services: Services, day: date, n: int, prefix: str = "A") -> None:
    for i in range(n):
        add_ticket(services, "info", f"{prefix}{i + 1:03d}", at(day, 9, i),
                   at(day, 9, 10 + 10 * i), at(day, 9, 40))  # fmt: skip


def test_month_in_progress_is_compared_with_the_same_days(services: Services, lead: Actor) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    clock.set(datetime(2026, 12, 6, 10, 0, tzinfo=clock.tz))
    _tickets(services, date(2026, 12, 2), 2)
    _tickets(services, date(2026, 11, 3), 1)
    _tickets(services, date(2026, 11, 20), 5)  # later in November: not like for like
    month = preset_period("month", clock.today())
    report = services.reports.period(lead, month)
    assert report.in_progress
    assert report.period == Period(date(2026, 12, 1), date(2026, 12, 6))
    assert report.previous == Period(date(2026, 11, 1), date(2026, 11, 6))
    assert report.comparison == "1-6 Dec vs 1-6 Nov"
    sheet = report.table("services")
    titles = [c.title for c in sheet.columns]
    assert titles[-2:] == ["Previous period", "Change %"]
    total = dict(zip(titles, sheet.rows[-1], strict=True))
    assert (total["Service"], total["Tickets"], total["Previous period"]) == ("All services", 2, 1)
    assert total["Change %"] == 1.0
    md = services.reports.export_period(lead, month, "md").decode()
    assert md.startswith(
        "# frontdesk report 2026-12-01 to 2026-12-06 (compared with 2026-11-01 to 2026-11-06);"
        " so far: 1-6 Dec vs 1-6 Nov"
    )
    assert "| Information & advice | 2 |" in md and "| 1 | 100.0% |" in md
    # a finished month is compared with the whole month before
    november = services.reports.period(lead, preset_period("month", date(2026, 11, 15)))
    assert not november.in_progress
    assert november.previous == Period(date(2026, 10, 1), date(2026, 10, 31))
    year = services.reports.period(lead, preset_period("year", clock.today()))
    assert year.comparison == "1 Jan-6 Dec 2026 vs 1 Jan-6 Dec 2025"


def test_day_report_markdown_writes_shares_as_the_screen(services: Services, lead: Actor) -> None:
    day = services.clock.today()
    _tickets(services, day, 2)  # waited 10 and 19 minutes, and B001 10: two of three within 15
    _tickets(services, day, 1, prefix="B")
    md = services.reports.export_day(lead, day, "md").decode()
    assert "| Share called within 15 min | 67% |" in md
    assert "0.667" not in md
