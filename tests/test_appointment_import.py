# ruff: noqa: E501  (the CSV data is clearer with one row per line)
"""Importing appointments from the booking system: messy files, re-import, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.services import Actor, Services
from frontdesk.services.appointments.importer import ImportFileError, import_appointments
from tests.helpers import CLEAN, MESSY, WEDNESDAY


def run(services: Services, actor: Actor, text: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return import_appointments(services.appointments, actor, text.encode("utf-8"), dry_run=dry_run)


def test_clean_file_imports_households(services: Services, clerk: Actor) -> None:
    report = run(services, clerk, CLEAN)
    assert (report.imported, report.unchanged, report.updated, report.rejected) == (2, 0, 0, 0)
    day = services.appointments.day(clerk, WEDNESDAY)
    assert [a.reference for a in day] == ["BK-1001", "BK-1002"]
    first = day[0]
    assert [p.relation for p in first.persons] == ["main", "partner", "child"]
    assert first.employer == "LUMC" and first.fee_cents == 5000 + 2500 + 1250
    assert services.clock.to_local(first.start_at).strftime("%H:%M") == "09:00"


def test_messy_file_with_a_rejected_row(services: Services, clerk: Actor) -> None:
    report = run(services, clerk, MESSY)
    assert report.imported == 2 and report.rejected == 1
    assert report.errors == [
        "line 6, column phone: this phone number does not exist; check the digits and the country code"
    ]
    assert "12345" not in " ".join(report.errors)
    day = services.appointments.day(clerk, WEDNESDAY)
    assert [a.reference for a in day] == ["BK-2001", "BK-2003"]
    assert day[0].persons[0].nationality == "PL" and len(day[0].persons) == 2
    assert day[1].kind == "bsn_collection"


def test_reimport_changes_nothing_and_a_changed_row_updates(
    services: Services, clerk: Actor
) -> None:
    run(services, clerk, CLEAN)
    again = run(services, clerk, CLEAN)
    assert (again.imported, again.unchanged, again.updated, again.rejected) == (0, 2, 0, 0)
    assert len(services.visitors.search(clerk, "Raghunathan")) == 3
    assert (
        len(services.appointments.history(clerk, services.appointments.day(clerk, WEDNESDAY)[0].id))
        == 1
    )

    changed = CLEAN.replace("BK-1002,2026-11-25,09:30", "BK-1002,2026-11-25,14:00")
    report = run(services, clerk, changed)
    assert (report.imported, report.unchanged, report.updated) == (0, 1, 1)
    moved = next(a for a in services.appointments.day(clerk, WEDNESDAY) if a.reference == "BK-1002")
    assert services.clock.to_local(moved.start_at).strftime("%H:%M") == "14:00"
    assert [e.action for e in services.appointments.history(clerk, moved.id)] == [
        "booked",
        "rescheduled",
    ]
    assert len(services.visitors.search(clerk, "Carter")) == 1


def test_dry_run_saves_nothing(services: Services, clerk: Actor) -> None:
    report = run(services, clerk, CLEAN, dry_run=True)
    assert report.imported == 2 and report.dry_run
    assert services.appointments.day(clerk, WEDNESDAY) == []
    assert services.visitors.search(clerk, "Raghunathan") == []


def test_household_problems_reject_the_household(services: Services, clerk: Actor) -> None:
    text = (
        "reference,date,time,role,given_names,family_name,date_of_birth,nationality\n"
        "H1,25-11-2026,09:00,main,A,One,1990-01-01,DE\n"
        "H1,25-11-2026,09:00,child,B,One,2099-01-01,DE\n"  # born in the future
        "H2,25-11-2026,09:30,partner,C,Two,1990-01-01,DE\n"  # no main person
        "H3,24-11-2026,09:00,main,D,Three,1990-01-01,DE\n"  # a Tuesday: no BSN hours
        "H4,25-11-2026,10:00,main,E,Four,1990-01-01,DE\n"
        "H4,25-11-2026,10:00,boss,F,Four,1990-01-01,DE\n"  # unknown role
        "H5,25-11-2026,10:30,main,G,Five,1990-01-01,DE\n"
    )
    report = run(services, clerk, text)
    assert report.imported == 1 and report.rejected == 6
    assert report.errors == [
        "line 2, column reference: not imported: line 3 of this household was rejected",
        "line 3, column date_of_birth: the date of birth is in the future",
        "line 4, column role: this household has no main person",
        "line 5, column time: this is outside the BSN appointment hours "
        "(Mon 09:00-12:15, Wed 09:00-16:30)",
        "line 6, column reference: not imported: line 7 of this household was rejected",
        "line 7, column role: the role must be main, partner or child",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00r\x00e", "not UTF-8"),
        (b"name,date\nx,y\n", "missing: reference"),
    ],
)
def test_unreadable_files(services: Services, clerk: Actor, data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        import_appointments(services.appointments, clerk, data)


def test_cli_exit_codes(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CLEAN, encoding="utf-8")
    messy = tmp_path / "messy.csv"
    messy.write_bytes(MESSY.encode("utf-8"))
    config = tmp_path / "none.toml"
    base = ["--config", str(config), "--db", sqlite_url]
    assert main([*base, "import", "appointments", str(good), "--dry-run"]) == 0
    assert "2 imported" in capsys.readouterr().out
    assert main([*base, "import", "appointments", str(good)]) == 0
    assert main([*base, "import", "appointments", str(good)]) == 0
    assert "0 imported, 2 unchanged, 0 updated" in capsys.readouterr().out
    assert main([*base, "import", "appointments", str(messy)]) == 1
    out = capsys.readouterr()
    assert "line 6, column phone" in out.err and "1 row rejected" in out.out
    binary = tmp_path / "bad.csv"
    binary.write_bytes(b"\xff\xfe\x00\x00")
    assert main([*base, "import", "appointments", str(binary)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "UTF-8" in err
    assert main([*base, "import", "appointments", str(tmp_path / "missing.csv")]) == 2
    assert "cannot be read" in capsys.readouterr().err
