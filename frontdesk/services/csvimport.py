"""Reading the CSV files people make in Excel or LibreOffice, and reporting on an import.

One reader for every import (partners, appointments, ...): bytes or a path in; UTF-8
with or without a byte-order mark; comma or semicolon, sniffed from the header line;
header names case-insensitive, trimmed, in any order; blank lines skipped. Rows come out
as ``(line_number, {column: text})`` where the line number is the file's own (1 = the
header), so a person can find the row in their spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk.services.errors import FrontdeskError

MAX_BYTES = 20 * 1024 * 1024


class CsvError(FrontdeskError):
    """The file as a whole cannot be read (not found, not UTF-8, columns missing)."""


@dataclass(frozen=True)
class RejectedRow:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False
    # Per row, what the import changes (or would change): "line 3, Rijnland Bank: contact:
    # Eva Jansen -> Eva". Shown by the dry run so nothing is overwritten unseen.
    changes: list[str] = field(default_factory=list)

    def reject(self, line: int, column: str, reason: str) -> None:
        self.rejected.append(RejectedRow(line, column, reason))

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        head = "dry run, nothing changed: " if self.dry_run else ""
        return (
            f"{head}{self.imported} imported, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


def _read_bytes(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        return source
    path = Path(source)
    try:
        if path.is_dir():
            raise CsvError(f"{path} is a folder, not a CSV file")
        if path.stat().st_size > MAX_BYTES:
            raise CsvError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise CsvError(f"{path}: no such file") from None
    except PermissionError:
        raise CsvError(f"{path}: no permission to read it") from None
    except OSError as exc:
        raise CsvError(f"{path}: cannot be read ({exc.strerror})") from None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(
            "the file is not UTF-8 text; in Excel save it as 'CSV UTF-8 (comma delimited)'"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """Semicolon when the header has more semicolons than commas (Dutch Excel), else comma."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def header_key(name: str) -> str:
    return " ".join(name.strip().casefold().split())


@dataclass
class CsvTable:
    """A parsed file: the header's column names and the rows, read lazily."""

    columns: tuple[str, ...]
    delimiter: str
    _text: str
    _header_line: int

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """``(line_number, {column: trimmed text})``; blank lines skipped.

        A row with more cells than the header gets the extras under the key ``""``
        (so the caller can reject it); missing cells are empty strings.
        """
        reader = csv.reader(
            io.StringIO(self._text, newline=""), delimiter=self.delimiter, strict=True
        )
        start = 0
        try:
            for cells in reader:
                start_line = start + 1
                start = reader.line_num
                if start_line <= self._header_line:
                    continue
                if not any(c.strip() for c in cells):
                    continue
                row = {name: "" for name in self.columns}
                for i, cell in enumerate(cells):
                    if i < len(self.columns):
                        row[self.columns[i]] = cell.strip()
                    elif cell.strip():
                        row[""] = (row.get("", "") + " " + cell.strip()).strip()
                yield start_line, row
        except csv.Error as exc:
            raise CsvError(f"line {start + 1}: {csv_problem(exc)}") from None


def csv_problem(exc: csv.Error) -> str:
    """What is wrong with a CSV file, in words (the line number is added by the caller)."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit() // 1024} KB; is this the right file?"
    if "unexpected end of data" in text or "EOF inside string" in text:
        return 'a quote (") opened here is never closed'
    if "expected after" in text:
        return (
            'a closing quote (") must be followed by the separator or the end of the line; '
            'write "" for a quote inside a quoted cell'
        )
    if "NUL" in text:
        return "the line holds a NUL character; is this really a CSV file?"
    return f"the CSV is malformed ({text})"


def read_csv(
    source: bytes | str | Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> CsvTable:
    """Open and check a CSV file; raises CsvError naming every missing required column.

    Column names in the result are the canonical ones given in ``required``/``optional``
    (lower case); columns the import does not know are ignored.
    """
    text = _decode(_read_bytes(source))
    lines = io.StringIO(text, newline="").readlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise CsvError("the file is empty; the first line must name the columns")
    header_line = lines[header_index]
    delimiter = sniff_delimiter(header_line)
    names = next(csv.reader([header_line], delimiter=delimiter))
    known = {header_key(n): n for n in (*required, *optional)}
    columns: list[str] = []
    seen: set[str] = set()
    for raw in names:
        key = header_key(raw)
        canonical = known.get(key, "")
        if canonical and canonical in seen:
            raise CsvError(f"the column {canonical!r} appears twice in the first line")
        seen.add(canonical)
        columns.append(canonical or f"?{len(columns)}")  # unknown columns are kept but unused
    missing = [c for c in required if c not in seen]
    if missing:
        raise CsvError(
            "the first line must name the columns; missing: "
            + ", ".join(missing)
            + f" (found: {', '.join(n.strip() for n in names if n.strip()) or 'nothing'})"
        )
    # The header may sit below blank lines; count physical lines up to and including it.
    return CsvTable(tuple(columns), delimiter, text, header_index + 1)
