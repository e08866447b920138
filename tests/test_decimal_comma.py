"""CSV for a spreadsheet set to Dutch: with the ";" delimiter, numbers with a fraction
(waits, percentages, money) are written with a decimal comma, as Dutch Excel reads them.
With "," (the standard) nothing changes."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.exports import csv_text
from tests.conftest import add_staff, make_services
from tests.helpers import DAY, normal_day

DAY_NOON = datetime(DAY.year, DAY.month, DAY.day, 12, 0)


def _cells(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_fractions_get_a_decimal_comma_with_semicolons() -> None:
    row = ["16.3", "47.4%", "-2.5", 12.5, Decimal("87.50"), "+0.25", "12", 7, "100%"]
    (semi,) = _cells(csv_text([row], ";"), ";")
    assert semi == ["16,3", "47,4%", "-2,5", "12,5", "87,50", "+0,25", "12", "7", "100%"]
    (comma,) = _cells(csv_text([row], ","), ",")
    assert comma == ["16.3", "47.4%", "-2.5", "12.5", "87.50", "+0.25", "12", "7", "100%"]


@pytest.mark.parametrize(
    "text",
    ["2026-12-06", "10:30", "A001", "1.2.3", "v1.5", "Room 2.14 upstairs", "zoe@example.org",
     "06-12345678", "+31612345678", "Zoë Ødegård", "1,5", ""],
)  # fmt: skip
def test_text_that_is_not_a_plain_number_stays_as_it_is(text: str) -> None:
    assert _cells(csv_text([[text]], ";"), ";") == [[text]]


def test_still_spreadsheet_safe_with_decimal_commas() -> None:
    (row,) = _cells(csv_text([["=1.5+2", "-1.5", "@SUM(A1)"]], ";"), ";")
    assert row == ["'=1.5+2", "-1,5", "'@SUM(A1)"]
    # a float that is not a number is written as it is
    (odd,) = _cells(csv_text([[float("nan"), float("inf")]], ";"), ";")
    assert odd == ["nan", "inf"]


def test_the_day_report_in_dutch_csv(db_url: str, clock: FixedClock) -> None:
    services: Services = make_services(db_url, clock, csv_delimiter=";")
    try:
        lead: Actor = add_staff(services, "Lea Lead", "lead")
        clerk: Actor = add_staff(services, "Dirk Desk", "desk")
        normal_day(services, clerk, lead)
        text = services.reports.export_day(lead, DAY, "csv").decode("utf-8-sig")
    finally:
        services.close()
    rows = _cells(text, ";")
    figures = {r[0]: r[1] for r in rows if len(r) == 2}
    assert figures["Median wait (min)"] == "15,0"
    fractions = [c for r in rows for c in r if c.replace(",", "").rstrip("%").isdigit()]
    assert any("," in c for c in fractions)
    assert not any(c.count(".") == 1 and c.replace(".", "").isdigit() for r in rows for c in r)


def test_the_report_command_with_delimiter_flag(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = make_services(sqlite_url, FixedClock(DAY_NOON))
    try:
        normal_day(
            services,
            add_staff(services, "Dirk Desk", "desk"),
            add_staff(services, "Lea Lead", "lead"),
        )
    finally:
        services.close()
    none = str(tmp_path / "none.toml")
    base = ["--db", sqlite_url, "--config", none, "report", "day", "--date", DAY.isoformat()]
    assert main([*base, "--delimiter", ";"]) == 0
    assert "Median wait (min);15,0" in capsys.readouterr().out.splitlines()
    assert main([*base, "--delimiter", ","]) == 0
    assert "Median wait (min),15.0" in capsys.readouterr().out.splitlines()
