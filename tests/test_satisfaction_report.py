"""The lead's reports carry the satisfaction section: figures against a hand count, and
the exports (CSV, Markdown, XLSX) hold it. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from frontdesk.services import Actor, Services
from frontdesk.services.feedback import tablet_actor
from frontdesk.services.reports import Period
from tests.helpers import add_ticket, at

MONDAY = date(2026, 11, 23)
SUNDAY = date(2026, 11, 22)  # the previous period of a one-day report


def _fill(services: Services) -> None:
    """Monday: five finished visits (info at desk 1: 3, packs at desk 2: 2) and a no-show;
    three ratings. Sunday: one finished visit, rated 1."""
    made = {}
    for label, code, desk in (
        ("A001", "info", 1),
        ("A002", "info", 1),
        ("A003", "info", 1),
        ("W001", "welcome_pack", 2),
        ("W002", "welcome_pack", 2),
    ):
        made[label] = add_ticket(
            services, code, label, at(MONDAY, 9), at(MONDAY, 9, 5), at(MONDAY, 9, 15), desk=desk
        )
    add_ticket(services, "info", "A004", at(MONDAY, 9), status="no_show", desk=1)
    sunday = add_ticket(
        services, "info", "A001", at(SUNDAY, 9), at(SUNDAY, 9, 5), at(SUNDAY, 9, 9), desk=1
    )
    services.feedback.record(tablet_actor(1), made["A001"], 4, "friendliness")
    services.feedback.record(tablet_actor(1), made["A002"], 3)
    services.feedback.record(tablet_actor(2), made["W001"], 1, "waiting")
    services.feedback.record(tablet_actor(1), sunday, 1, "waiting")


def test_the_period_report_has_satisfaction_per_service_desk_and_day(
    services: Services, lead: Actor
) -> None:
    _fill(services)
    report = services.reports.period(lead, Period(MONDAY, MONDAY))
    per_service = report.table("satisfaction")
    assert [c.title for c in per_service.columns] == [
        "Service",
        "Finished visits",
        "Ratings",
        "Response rate",
        "Average (1-4)",
        "Bad",
        "Not so good",
        "Good",
        "Very good",
    ]
    assert per_service.rows == (
        ("Information & advice", 3, 2, 2 / 3, 3.5, 0, 0, 1, 1),
        ("Welcome pack", 2, 1, 0.5, 1.0, 1, 0, 0, 0),
        ("All", 5, 3, 0.6, 8 / 3, 1, 0, 1, 1),
        ("All, previous period", 1, 1, 1.0, 1.0, 1, 0, 0, 0),
    )
    assert report.table("satisfaction_desk").rows == (
        ("desk 1", 3, 2, 2 / 3, 3.5, 0, 0, 1, 1),
        ("desk 2", 2, 1, 0.5, 1.0, 1, 0, 0, 0),
        ("All", 5, 3, 0.6, 8 / 3, 1, 0, 1, 1),
    )
    assert report.table("satisfaction_days").rows[0] == (MONDAY, 5, 3, 0.6, 8 / 3, 1, 0, 1, 1)
    why = {row[0]: row[1:] for row in report.table("satisfaction_why").rows}
    assert why == {"(none given)": (1, 3.0), "Friendliness": (1, 4.0), "Waiting time": (1, 1.0)}


def test_the_day_report_and_the_exports_carry_it(services: Services, lead: Actor) -> None:
    _fill(services)
    day = services.reports.day_report_tables(lead, MONDAY)
    keys = [t.key for t in day]
    assert "satisfaction" in keys and "satisfaction_desk" in keys
    md = services.reports.export_period(lead, Period(MONDAY, MONDAY), "md").decode()
    assert "## Satisfaction after the visit, per service" in md
    assert "| Welcome pack | 2 | 1 | 50.0% | 1.0 | 1 | 0 | 0 | 0 |" in md
    csv = services.reports.export_period(lead, Period(MONDAY, MONDAY), "csv").decode("utf-8-sig")
    assert "All,5,3,60.0%,2.7,1,0,1,1" in csv.replace("\r", "")
    xlsx = services.reports.export_period(lead, Period(MONDAY, MONDAY), "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx))["satisfaction"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Welcome pack", 2, 1, 0.5, 1.0, 1, 0, 0, 0] in values
