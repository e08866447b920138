"""The lead screen opens on the dashboard alone; a tab is built the first time it is shown,
and a key that acts on a tab never shown builds it first, then acts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from textual.widgets import DataTable, Input, Select, TabbedContent

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.lead.common import LeadTab
from frontdesk.tui.lead.forms import FormModal
from frontdesk.tui.lead.reports import ReportsTab
from frontdesk.tui.lead.review import ReviewTab
from tests.conftest import add_staff, make_services
from tests.helpers import at_lead_screen, normal_day, press, settle


@pytest.fixture
def lead_services(sqlite_url: str) -> Iterator[Services]:
    clock = FixedClock(datetime(2026, 11, 23, 11, 20))
    services = make_services(sqlite_url, clock, staff="Lea Lead")
    lead = add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    normal_day(services, clerk, lead)
    yield services
    services.close()


def built(screen: LeadScreen) -> dict[str, bool]:
    return {str(tab.id): tab.built for tab in screen.query(LeadTab)}


async def test_only_the_dashboard_is_built_at_open(lead_services: Services) -> None:
    async with at_lead_screen(lead_services) as (_, pilot, screen):
        assert screen.dashboard is not None
        assert built(screen) == {
            "dashboard": True, "review": False, "reports": False, "admin": False,
            "outbox": False,
        }  # fmt: skip
        assert not screen.query("#review-tickets")
        await press(pilot, "f3")
        assert screen.query_one(TabbedContent).active == "review"
        assert built(screen)["review"] and not built(screen)["reports"]
        assert screen.query_one("#review-tickets", DataTable).row_count == 7
        # shown again later: built once, its figures still there
        await press(pilot, "f2", "f3")
        assert screen.query_one("#review-tickets", DataTable).row_count == 7


async def test_next_day_from_the_dashboard_builds_the_review_then_moves(
    lead_services: Services,
) -> None:
    async with at_lead_screen(lead_services) as (_, pilot, screen):
        await press(pilot, "f5")  # the day before, from the dashboard
        review = screen.query_one(ReviewTab)
        assert screen.query_one(TabbedContent).active == "review"
        assert review.day == date(2026, 11, 22)
        assert screen.query_one("#review_date", Input).value != ""
        assert screen.query_one("#review-tickets", DataTable).row_count == 0


async def test_a_report_preset_from_the_dashboard_builds_the_reports_tab(
    lead_services: Services,
) -> None:
    async with at_lead_screen(lead_services) as (app, pilot, screen):
        screen.show_preset("year")
        await settle(app, pilot)
        reports = screen.query_one(ReportsTab)
        assert screen.query_one(TabbedContent).active == "reports"
        assert screen.query_one("#preset", Select).value == "year"
        assert reports.period is not None and reports.period.start == date(2026, 1, 1)
        assert reports.report is not None and reports.report.period.start == date(2026, 1, 1)


async def test_add_staff_from_the_dashboard_opens_its_form(lead_services: Services) -> None:
    async with at_lead_screen(lead_services) as (app, pilot, screen):
        await press(pilot, "ctrl+n")
        assert isinstance(app.screen, FormModal)
        assert screen.query_one(TabbedContent).active == "admin"
        assert built(screen)["admin"]
