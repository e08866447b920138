"""Employer invoices: the quarter, the lines of completed registrations paid by an
employer, and the table written as CSV or XLSX, with a total per employer.

Employers are named in the lead's spelling (services/employers.py): appointments saved
before an alias was added count under the name to use too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import (
    Appointment,
    AppointmentPerson,
    Visitor,
)
from frontdesk.services.appointments.records import (
    InvoiceLine,
)
from frontdesk.services.employers import names_in
from frontdesk.services.errors import ValidationError
from frontdesk.services.exports import (
    append_row,
    csv_text,
    workbook_bytes,
    write_private,
)


def parse_quarter(text: str) -> tuple[date, date]:
    """ "2026Q4" (or "2026-Q4", "q4 2026") -> first day, first day of the next quarter."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[qQ]([1-4])\s*|\s*[qQ]([1-4])\s*-?\s*(\d{4})\s*", text)
    if not match:
        raise ValidationError("quarter", "write the quarter as 2026Q4")
    year = int(match.group(1) or match.group(4))
    q = int(match.group(2) or match.group(3))
    if not 1900 <= year <= 2999:
        raise ValidationError("quarter", "the quarter's year must be between 1900 and 2999")
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end


def invoice_lines(
    session: Session, start: date, end: date, is_exempt: Callable[[str | None], bool]
) -> list[InvoiceLine]:
    """Completed first registrations paid by an employer, per person, from ``start`` up
    to (not including) ``end``; an exempt employer's lines carry no fee."""
    rows = session.execute(
        select(Appointment, AppointmentPerson, Visitor)
        .join(AppointmentPerson, AppointmentPerson.appointment_id == Appointment.id)
        .join(Visitor, Visitor.id == AppointmentPerson.visitor_id)
        .where(
            Appointment.status == "completed",
            Appointment.kind == "first_registration",
            Appointment.employer.is_not(None),
            Appointment.day >= start,
            Appointment.day < end,
        )
        .order_by(
            Appointment.employer,
            Appointment.day,
            Appointment.id,
            AppointmentPerson.position,
        )
    ).all()
    names = names_in(session)
    lines = []
    for ap, p, v in rows:
        employer = names.canonical(ap.employer) or ""
        exempt = is_exempt(employer) or is_exempt(ap.employer)
        lines.append(
            InvoiceLine(
                employer=employer,
                day=ap.day,
                reference=ap.reference or f"#{ap.id}",
                name=" ".join(x for x in (v.given_names, v.family_name) if x),
                relation=p.relation,
                fee_cents=0 if exempt else p.fee_cents,
                exempt=exempt,
            )
        )
    lines.sort(key=lambda line: line.employer)  # stable: day and booking order stay
    return lines


def invoice_totals(lines: Sequence[InvoiceLine]) -> list[tuple[str, int, int]]:
    """(employer, persons, total in cents) per employer, in the lines' order."""
    totals: dict[str, tuple[int, int]] = {}
    for line in lines:
        persons, cents = totals.get(line.employer, (0, 0))
        totals[line.employer] = (persons + 1, cents + line.fee_cents)
    return [(employer, persons, cents) for employer, (persons, cents) in totals.items()]


def invoice_rows(lines: Sequence[InvoiceLine]) -> list[list[str]]:
    """The invoice table as text cells: header, a row per person, a total per employer."""
    out = [["employer", "date", "reference", "person", "relation", "fee_eur", "exempt"]]
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.employer] = totals.get(line.employer, 0) + line.fee_cents
    current: str | None = None
    for line in lines:
        if current is not None and line.employer != current:
            out.append([current, "", "", "total", "", f"{totals[current] / 100:.2f}", ""])
        current = line.employer
        out.append(
            [
                line.employer,
                line.day.isoformat(),
                line.reference,
                line.name,
                line.relation,
                f"{line.fee_cents / 100:.2f}",
                "yes" if line.exempt else "",
            ]
        )
    if current is not None:
        out.append([current, "", "", "total", "", f"{totals[current] / 100:.2f}", ""])
    return out


TOTALS_TITLE = "Totals per employer"


def invoice_bytes(
    rows: Sequence[Sequence[str]],
    fmt: str,
    totals: Sequence[tuple[str, int, int]] = (),
    delimiter: str = ",",
) -> bytes:
    """The invoice table as CSV (UTF-8 with BOM, for spreadsheets) or XLSX bytes; with
    ``totals``, a section (CSV) or a sheet (XLSX) of the total per employer."""
    if fmt == "csv":
        table = [list(r) for r in rows]
        if totals:
            table += [[], [TOTALS_TITLE, "persons", "total_eur"]]
            table += [[e, str(n), f"{cents / 100:.2f}"] for e, n, cents in totals]
        return csv_text(table, delimiter).encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValidationError("format", "the format is csv or xlsx")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Employer invoices"
    append_row(sheet, rows[0])
    for row in rows[1:]:
        cells: list[object] = list(row)
        cells[5] = float(row[5])
        append_row(sheet, cells)
    for column, width in zip("ABCDEFG", (28, 12, 14, 30, 10, 10, 8), strict=True):
        sheet.column_dimensions[column].width = width
    if totals:
        summary = book.create_sheet(TOTALS_TITLE)
        append_row(summary, ["employer", "persons", "total_eur"])
        for employer, persons, cents in totals:
            append_row(summary, [employer, persons, cents / 100])
        summary.column_dimensions["A"].width = 28
    return workbook_bytes(book)


def export_invoices(lines: Sequence[InvoiceLine], path: str, fmt: str) -> int:
    """Write the invoice list to a file (0600, atomic); rows written (not audited: see
    AppointmentService.export_invoices)."""
    rows = invoice_rows(lines)
    write_private(Path(path), invoice_bytes(rows, fmt, invoice_totals(lines)))
    return len(rows) - 1
