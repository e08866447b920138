"""The stock line after this desk's own queue action (issue 20): the waiting strip is read
at once, the stock line (which a queue action does not move) with the next read that is
due for it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from frontdesk.services import Services
from frontdesk.services.queue.sync import QueueSignal
from frontdesk.tui.desk import screen as desk_module
from tests.conftest import add_staff
from tests.helpers import SIZE, log_in, make_app, settle, until, walk_in


def _strip(app: Any) -> str:
    return str(app.screen.query_one("#load", Static).content)


async def test_own_action_reads_the_strip_and_leaves_the_stock_line_for_later(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    monkeypatch.setattr(desk_module, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(desk_module, "SLOW_SECONDS", 3600.0)
    monkeypatch.setattr(QueueSignal, "start", lambda self: None)  # no other reads
    walk_in(desk_services, clerk, "Ada")
    walk_in(desk_services, clerk, "Bo")
    stock_reads: list[int] = []
    low_stock = desk_services.packs.low_stock

    def counted(*args: Any) -> Any:
        stock_reads.append(1)
        return low_stock(*args)

    monkeypatch.setattr(desk_services.packs, "low_stock", counted)
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        desk = await log_in(app, pilot, clerk)
        await until(pilot, lambda: "Waiting 2" in _strip(app) and bool(stock_reads))
        reads = len(stock_reads)
        await pilot.press("f4")
        await settle(app, pilot)
        assert "Waiting 1" in _strip(app)
        assert len(stock_reads) == reads
        # Once the slow parts are due, the next refresh reads the stock line too.
        monkeypatch.setattr(desk_module, "SLOW_SECONDS", 0.0)
        desk.refresh_queue()
        await until(pilot, lambda: len(stock_reads) == reads + 1)
