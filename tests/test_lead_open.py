"""Opening the lead screen reads the dashboard's figures once (the read starts as the tab
mounts; the activation that opens the screen on it adds none), and showing the dashboard
again later reads them again. The lead's stylesheet is read into the App's as the screen
is made, and its rules reach the screen. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from textual.widgets import DataTable

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.paths import stylesheet
from tests.conftest import TEST_PIN, add_staff, make_services
from tests.helpers import enter_pin, normal_day, press


@pytest.fixture
def lead_services(db_url: str) -> Iterator[Services]:
    clock = FixedClock(datetime(2026, 11, 23, 11, 20))
    services = make_services(db_url, clock, staff="Lea Lead")
    lead = add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    normal_day(services, clerk, lead)
    yield services
    services.close()


def counting_dashboard_reads(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    read = services.reports.dashboard

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return read(*args, **kwargs)

    monkeypatch.setattr(services.reports, "dashboard", counted)
    return reads


async def test_opening_reads_the_dashboard_once_and_showing_it_again_reads_again(
    lead_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = counting_dashboard_reads(lead_services, monkeypatch)
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot, TEST_PIN, "alt+5")
        screen = app.screen
        assert isinstance(screen, LeadScreen)
        assert screen.dashboard is not None
        assert screen.query_one("#dash-groups", DataTable).row_count > 0
        assert len(reads) == 1
        await press(pilot, "f3", "f2")  # the day review, then the dashboard again
        assert len(reads) == 2
        await press(pilot, "ctrl+r")
        assert len(reads) == 3


async def test_the_lead_stylesheet_is_read_once_and_styles_the_screen(
    lead_services: Services,
) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot, TEST_PIN)
        assert not app.stylesheet.has_source(str(stylesheet("lead.tcss")))
        await press(pilot, "alt+5")
        assert app.stylesheet.has_source(str(stylesheet("lead.tcss")))
        assert isinstance(app.screen, LeadScreen)
        # LeadScreen #dash-top { height: 9; } (styles/lead.tcss)
        assert app.screen.query_one("#dash-top").outer_size.height == 9
