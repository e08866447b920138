"""The partner import and report commands, the config settings, and the demo step."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from frontdesk.cli import main
from frontdesk.config import ConfigError, load_settings
from frontdesk.demo import fill_demo
from tests.conftest import make_services

FILE = "\ufeffname;category;phone\n\nRijnland Bank;bank;071 512 3456\nOops;bakery;\n"


def test_import_partners_command(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(FILE, encoding="utf-8")
    base = ["--config", str(tmp_path / "none.toml"), "--db", sqlite_url, "import", "partners"]
    assert main([*base, str(path), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "dry run, nothing changed: 1 imported, 0 updated, 0 unchanged, 1 rejected" in out
    assert "line 4, column category: unknown category" in out
    assert main([*base, str(path)]) == 1
    assert main([*base, str(path)]) == 1
    assert "0 imported, 0 updated, 1 unchanged, 1 rejected" in capsys.readouterr().out
    path.write_text(FILE.replace("Oops;bakery", "Oops;other"), encoding="utf-8")
    assert main([*base, str(path)]) == 0
    # A dry run lists what each row would change; a blank cell erases nothing.
    good = FILE.replace("Oops;bakery", "Oops;other")
    path.write_text(good.replace("Rijnland Bank;bank;071 512 3456", "RIJNLAND BANK;Banks;"))
    capsys.readouterr()
    assert main([*base, str(path), "--dry-run"]) == 0
    assert "0 imported, 0 updated, 2 unchanged" in capsys.readouterr().out
    path.write_text(good.replace("071 512 3456", "071 512 9999"))
    assert main([*base, str(path), "--dry-run"]) == 0
    assert "line 3, Rijnland Bank: phone: +31715123456 -> +31715129999" in capsys.readouterr().out
    assert main([*base, str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


def test_report_command(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--config", str(tmp_path / "none.toml"), "--db", sqlite_url, "referrals", "report"]
    period = ["--from", "2026-11-01", "--to", "30-11-2026"]
    assert main([*base, *period]) == 0
    assert capsys.readouterr().out.startswith("partner,category,referrals made")
    out = tmp_path / "r.xlsx"
    assert main([*base, *period, "--format", "xlsx", "--output", str(out)]) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active
    assert sheet is not None and sheet["A1"].value == "Referrals 2026-11-01 to 2026-11-30"
    assert main([*base, *period, "--format", "xlsx"]) == 2
    assert main([*base, "--from", "yesterday", "--to", "2026-11-30"]) == 2
    assert "--from is not a date" in capsys.readouterr().err


def test_config_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('referral_follow_up_days = 5\npartner_categories = ["bank", "other"]\n')
    settings = load_settings(config_path=path, environ={})
    assert (settings.referral_follow_up_days, settings.partner_categories) == (5, ("bank", "other"))
    path.write_text("referral_follow_up_days = 0\n")
    with pytest.raises(ConfigError, match="between 1 and 90"):
        load_settings(config_path=path, environ={})
    path.write_text("partner_categories = []\n")
    with pytest.raises(ConfigError, match="list of names"):
        load_settings(config_path=path, environ={})


def test_demo_makes_partners_and_referrals_in_every_state(sqlite_url: str) -> None:
    from frontdesk.clock import FixedClock
    from frontdesk.config import DEFAULT_HOURS
    from tests.conftest import MONDAY_10, add_staff

    services = make_services(sqlite_url, FixedClock(MONDAY_10), hours=DEFAULT_HOURS)
    try:
        fill_demo(services, days=30)
        lead = add_staff(services, "Someone Else", "lead")
        assert len(services.partners.search(lead, include_inactive=True)) == 25
        rows = services.referrals.worklist(lead, "open") + services.referrals.worklist(
            lead, "closed"
        )
        assert len(rows) == 60
        assert {r.status for r in rows} == {
            "new", "assigned", "contacted", "accepted", "declined", "closed",
        }  # fmt: skip
        assert any(r.overdue for r in rows)
        assert any(not r.consent_given for r in rows)
    finally:
        services.close()
