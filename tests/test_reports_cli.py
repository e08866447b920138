"""`frontdesk report day|period`: formats, files, and one clear line when the input is wrong."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.db import Database
from frontdesk.db.models import AuditEvent


def run(url: str, tmp_path: Path, *args: str) -> int:
    return main(["--db", url, "--config", str(tmp_path / "none.toml"), "report", *args])


def test_day_csv_to_standard_output(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(sqlite_url, tmp_path, "day", "--date", "2026-11-23") == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["frontdesk day report 2026-11-23"]
    assert ["Figure", "Value"] in rows and ["Tickets issued", "0"] in rows


def test_period_md_and_xlsx_file(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            sqlite_url,
            tmp_path,
            "period",
            "--from",
            "2025-10-01",
            "--to",
            "2025-12-31",
            "--format",
            "md",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("# frontdesk report 2025-10-01 to 2025-12-31 (compared with 2025-07-01")
    target = tmp_path / "q4.xlsx"
    assert run(sqlite_url, tmp_path, "period", "--from", "1-10-2026", "--to", "31-12-2026",
               "--format", "xlsx", "--output", str(target)) == 0  # fmt: skip
    book = load_workbook(target)
    assert book.sheetnames[:5] == ["services", "days", "contacts", "categories", "nationalities"]
    # then the sections of appointments, referrals and packs
    assert {"appointments", "bsn", "referrals", "packs"} <= set(book.sheetnames)
    assert [c.value for c in book["contacts"][1]][:2] == ["Channel", "Contacts"]
    db = Database(sqlite_url)
    with db.read() as session:
        assert (
            len(
                list(
                    session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export"))
                )
            )
            == 2
        )
    db.dispose()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("day", "--date", "23rd of November"), "--date is not a date"),
        (("period", "--from", "2026-12-01", "--to", "2026-11-01"), "before the first day"),
        (("period", "--from", "2026-13-01", "--to", "2026-11-01"), "--from is not a date"),
        (("period", "--to", "2026-11-01"), "give --from and --to"),
        (("day", "--format", "xlsx"), "needs --output"),
        (("day", "--output", "/no/such/folder/x.csv"), "does not exist"),
        (("period", "--preset", "week", "--from", "2026-11-01"), "not both"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    sqlite_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    words: str,
) -> None:
    assert run(sqlite_url, tmp_path, *args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err and captured.err.count("\n") == 1
