"""The partner report as a file: CSV (UTF-8 with BOM, for spreadsheets) or XLSX."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from frontdesk.services.exports import (
    append_row,
    csv_text,
    workbook_bytes,
)
from frontdesk.services.referrals.records import (
    PartnerReport,
)


def median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def report_csv(report: PartnerReport) -> bytes:
    return csv_text(report.table()).encode("utf-8-sig")


def report_xlsx(report: PartnerReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Referrals per partner"
    sheet.append([f"Referrals {report.start.isoformat()} to {report.end.isoformat()}"])
    for i, row in enumerate(report.table()):
        append_row(sheet, row)
        if i == 0:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 20
    return workbook_bytes(book)
