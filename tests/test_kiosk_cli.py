"""`frontdesk kiosk` on the command line: its flags, the command each browser runs, and a
refusal in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk import cli
from frontdesk.cli.kiosk import kiosk_command
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.services import Services
from tests.conftest import add_staff


def test_max_kiosks_out_of_range_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["kiosk", "--web", "--max-kiosks", "0"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "frontdesk: --max-kiosks must be between 1 and 20"


def test_each_browser_runs_this_kiosk_on_the_same_settings(tmp_path: Path) -> None:
    settings = Settings(db_url="sqlite:///x.sqlite3", config_path=tmp_path / "c.toml", demo=True)
    command = kiosk_command(settings, "Entrance")
    assert command[-3:] == ["kiosk", "--name", "Entrance"]
    assert ["--config", str(tmp_path / "c.toml")] == command[3:5] and "--demo" in command
    assert "x.sqlite3" not in " ".join(command)  # the URL travels in FRONTDESK_DB


def test_a_kiosk_may_not_take_a_person_s_name(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    services = Services(Database(sqlite_url), Settings(db_url=sqlite_url))
    add_staff(services, "Lea Lead", "lead")
    services.close()
    code = cli.main(
        ["--config", str(tmp_path / "none.toml"), "--db", sqlite_url, "kiosk", "--name", "Lea Lead"]
    )
    assert code == 2
    assert "a staff member has this name" in capsys.readouterr().err
