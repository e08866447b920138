"""Report tables: plain data with typed columns, rendered to CSV, Markdown and XLSX.

Every report (day, period) is a list of :class:`Table`; the screens show them, the
exports write them (through the spreadsheet-safe writer in services.exports). A column's
``kind`` says how to format its values, so a number stays a number in a spreadsheet and
gets a fitting number format there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from frontdesk.services.exports import append_row, csv_text, workbook_bytes

# text | int | minutes (a float, one decimal) | pct (a fraction 0..1) | date | datetime
KINDS = ("text", "int", "minutes", "pct", "date", "datetime")
FORMATS = ("csv", "xlsx", "md")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"
    width: int = 0  # spreadsheet width in characters; 0 = from the title and values


@dataclass(frozen=True)
class Table:
    key: str  # short, also the spreadsheet sheet name
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def column(self, title: str) -> list[Any]:
        index = [c.title for c in self.columns].index(title)
        return [row[index] for row in self.rows]


def _half_up(value: float) -> float:
    """16.25 -> 16.3, as people round by hand (format() would give 16.2)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def percent_text(fraction: float | None) -> str | None:
    """A share as the lead's screens show it: 0.474 -> "47%" (None stays None)."""
    if fraction is None:
        return None
    return f"{math.floor(fraction * 100 + 0.5 + 1e-9)}%"


def cell_text(value: Any, kind: str) -> str:
    """A value as people read it (screens, CSV, Markdown)."""
    if value is None:
        return ""
    if kind == "minutes":
        return f"{_half_up(float(value)):.1f}"
    if kind == "pct":
        return f"{_half_up(float(value) * 100):.1f}%"
    if kind == "int":
        return str(int(value))
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(tables: Sequence[Table], heading: str = "", delimiter: str = ",") -> str:
    """All tables in one CSV: a title row, the header row, the rows, a blank row between."""
    rows: list[Sequence[Any]] = []
    if heading:
        rows += [[heading], []]
    for table in tables:
        rows.append([table.title])
        rows.append([c.title for c in table.columns])
        for row in table.rows:
            rows.append([cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        rows.append([])
    return csv_text(rows, delimiter)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(tables: Sequence[Table], heading: str = "") -> str:
    lines: list[str] = []
    if heading:
        lines += [f"# {heading}", ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        if not table.rows:
            lines += ["(nothing in this period)", ""]
            continue
        lines.append("| " + " | ".join(_md_cell(c.title) for c in table.columns) + " |")
        lines.append(
            "|"
            + "|".join(
                " ---: " if c.kind in ("int", "minutes", "pct") else " --- " for c in table.columns
            )
            + "|"
        )
        for row in table.rows:
            cells = [
                _md_cell(cell_text(v, c.kind)) for v, c in zip(row, table.columns, strict=True)
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


_XLSX_FORMATS = {
    "int": "0",
    "minutes": "0.0",
    "pct": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def _xlsx_value(value: Any, kind: str) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # spreadsheets have no time zones: local time
    if kind == "minutes" and value is not None:
        return float(value)  # the cell's number format shows one decimal
    return value


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: bold header row, number formats, fitting column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        name = table.key[:31] or "sheet"
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        append_row(sheet, [c.title for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            append_row(
                sheet, [_xlsx_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            )
        for index, column in enumerate(table.columns, 1):
            letter = get_column_letter(index)
            number_format = _XLSX_FORMATS.get(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
            longest = max(
                [len(column.title)]
                + [len(cell_text(r[index - 1], column.kind)) for r in table.rows]
            )
            sheet.column_dimensions[letter].width = column.width or min(60, longest + 2)
        sheet.freeze_panes = "A2"
    return workbook_bytes(book)


def render(tables: Sequence[Table], fmt: str, heading: str = "", delimiter: str = ",") -> bytes:
    if fmt == "csv":
        return to_csv(tables, heading, delimiter).encode("utf-8")
    if fmt == "md":
        return to_markdown(tables, heading).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(tables)
    raise ValueError(f"unknown format {fmt!r}")
