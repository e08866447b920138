"""`frontdesk --db URL demo` lives the demo's day as `frontdesk --demo` does: when the
centre is closed now, the last opening day; and every later run on that database too."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.cli import main
from frontdesk.config import Hours, Settings
from frontdesk.demo import demo_clock
from frontdesk.services import Services
from frontdesk.services.auth import CLI_ACTOR


def test_db_demo_fills_and_runs_on_the_last_opening_day(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tz = ZoneInfo("Europe/Amsterdam")
    today = datetime.now(UTC).astimezone(tz).date()
    open_day = today - timedelta(days=2)
    # The centre's only walk-in hours: two days ago, all day. Closed now.
    config = tmp_path / "config.toml"
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[open_day.weekday()]
    config.write_text(f'[hours]\nwalk_in = {{ {weekday} = ["00:05-23:55"] }}\n')
    assert main(["--db", db_url, "--config", str(config), "demo", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert f"demo day: {open_day:%A %d-%m-%Y} (replayed: the centre is closed at this hour)" in out
    hours = (Hours(open_day.weekday(), time(0, 5), time(23, 55), "walk_in"),)
    settings = Settings(db_url=db_url, hours=hours)
    # --demo picks the same day
    clock, _note = demo_clock(
        settings.with_overrides(db_url=f"sqlite:///{tmp_path}/d.sqlite3"), True
    )
    assert clock.today() == open_day
    # a later run on the database (the app, a report) lives that day, its queue in swing
    services = Services.open(settings)
    try:
        assert services.clock.today() == open_day
        assert services.queue.today(CLI_ACTOR)
        assert services.reports.day(CLI_ACTOR, open_day).issued > 0
    finally:
        services.close()
    # a real centre's database: the clock is now
    plain = tmp_path / "plain.sqlite3"
    real = Services.open(Settings(db_url=f"sqlite:///{plain}"))
    try:
        assert real.clock.today() == today
    finally:
        real.close()
