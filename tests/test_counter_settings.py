"""Two settings of the counter: `;` between CSV cells for Dutch spreadsheets
(`[exports] delimiter`, `--delimiter`), and one date style on every screen
(`[display] date_style`)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from frontdesk.cli import main
from frontdesk.clock import FixedClock
from frontdesk.config import ConfigError, Settings, load_settings
from frontdesk.services import Actor
from frontdesk.services.dates import format_date
from frontdesk.services.errors import ValidationError
from frontdesk.services.exports import csv_text
from frontdesk.services.fields import parse_date
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from tests.conftest import add_staff, make_services
from tests.helpers import SIZE, log_in, open_find, press


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- [exports] delimiter -------------------------------------------------------------------
def test_delimiter_setting_is_read_and_checked(tmp_path: Path) -> None:
    settings = load_settings(config_path=_config(tmp_path, '[exports]\ndelimiter = ";"\n'))
    assert settings.csv_delimiter == ";"
    assert load_settings(config_path=tmp_path / "none.toml").csv_delimiter == ","
    with pytest.raises(ConfigError, match=r'\[exports\] delimiter must be "," or ";"'):
        load_settings(config_path=_config(tmp_path, '[exports]\ndelimiter = "|"\n'))
    with pytest.raises(ConfigError, match="knows delimiter"):
        load_settings(config_path=_config(tmp_path, '[exports]\nseparator = ";"\n'))
    with pytest.raises(ConfigError, match="--delimiter"):
        load_settings(config_path=tmp_path / "none.toml", csv_delimiter="\t")


def test_the_one_writer_honours_the_delimiter() -> None:
    rows = [["Name", "Wait"], ["Smith, J.", "4.5"], ["=cmd", None]]
    text = csv_text(rows, ";")
    assert text.splitlines()[0] == "Name;Wait"
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["Name", "Wait"],
        ["Smith, J.", "4,5"],  # a decimal comma with ";" (test_decimal_comma.py)
        ["'=cmd", ""],
    ]
    with pytest.raises(ValidationError):
        csv_text(rows, "|")


def test_report_cli_takes_delimiter_flag_and_setting(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    none = str(tmp_path / "none.toml")
    base = ["--db", sqlite_url, "--config", none, "report", "day", "--date", "2026-11-23"]
    assert main([*base, "--delimiter", ";"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Figure;Value" in lines and "Figure,Value" not in lines
    # the config file's setting, and the flag winning over it
    semi = str(_config(tmp_path, '[exports]\ndelimiter = ";"\n'))
    assert main(["--db", sqlite_url, "--config", semi, *base[4:]]) == 0
    assert "Figure;Value" in capsys.readouterr().out.splitlines()
    assert main(["--db", sqlite_url, "--config", semi, *base[4:], "--delimiter", ","]) == 0
    assert "Figure,Value" in capsys.readouterr().out.splitlines()
    # a wrong one is one line on stderr, exit 2
    with pytest.raises(SystemExit) as exit_:
        main([*base, "--delimiter", "|"])
    assert exit_.value.code == 2 and "--delimiter" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["report", "period", "--preset", "month"],
        ["referrals", "report", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["packs", "export"],
    ],
)
def test_every_csv_command_has_the_flag(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    none = str(tmp_path / "none.toml")
    assert main(["--db", sqlite_url, "--config", none, *command, "--delimiter", ";"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.count(";") >= 2)
    assert "," not in header


def test_services_export_with_the_setting(db_url: str, clock: FixedClock) -> None:
    services = make_services(db_url, clock, csv_delimiter=";")
    try:
        lead = add_staff(services, "Lea Lead", "lead")
        services.packs.add_kind(lead, "welcome", "Welcome bag", 2)
        text = services.packs.export_csv(lead, "week")
        assert text.splitlines()[0].count(";") >= 5 and "," not in text.splitlines()[0]
    finally:
        services.close()


# -- [display] date_style ------------------------------------------------------------------
def test_date_styles_and_parsing_them_back(tmp_path: Path) -> None:
    day = date(2026, 12, 6)
    assert format_date(day, "iso") == "2026-12-06"
    assert format_date(day, "dutch") == "06-12-2026"
    assert format_date(day, "long") == "6 Dec 2026"
    assert format_date(day, "long", weekday=True) == "Sun 6 Dec 2026"
    assert [format_date(day, s, short=True) for s in ("iso", "dutch", "long")] == [
        "12-06",
        "06-12",
        "6 Dec",
    ]
    for style in ("iso", "dutch", "long"):
        assert parse_date(format_date(day, style), "day") == day
    settings = load_settings(config_path=_config(tmp_path, '[display]\ndate_style = "long"\n'))
    assert settings.date_style == "long"
    with pytest.raises(ConfigError, match=r'date_style must be "iso", "dutch" or "long"'):
        load_settings(config_path=_config(tmp_path, '[display]\ndate_style = "us"\n'))


async def test_the_desk_and_search_show_dates_in_the_chosen_style(
    sqlite_url: str, clock: FixedClock
) -> None:
    services = make_services(sqlite_url, clock)
    clerk: Actor = add_staff(services, "Dirk Desk", "desk")
    services.queue.register_walk_in(
        clerk,
        VisitorInput(given_names="Ana", family_name="Lima", birth_date="1990-03-04"),
        service_code="info",
    )
    app = FrontdeskApp(services, Settings(db_url=sqlite_url, date_style="long"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(app, pilot, clerk)
            await press(pilot, "f4")
            card: Any = app.screen.query_one("#card", Static)
            assert "Born: 4 Mar 1990" in str(card.content)
            header: Any = app.screen.query_one("#clock", Static)
            assert f"{format_date(clock.today(), 'long')}" in str(header.content)
            find = await open_find(pilot, *"Lima")
            options = find.query_one(OptionList)
            shown = str(options.get_option_at_index(0).prompt)
            assert "born 4 Mar 1990" in shown
    finally:
        services.close()


def test_invoices_take_the_delimiter_flag(sqlite_url: str, tmp_path: Path) -> None:
    none = str(tmp_path / "none.toml")
    out = tmp_path / "invoices.csv"
    command = ["--db", sqlite_url, "--config", none, "appointments", "invoices"]
    assert main([*command, "--quarter", "2026Q4", "--output", str(out), "--delimiter", ";"]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.count(";") >= 5 and "," not in header
