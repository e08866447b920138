"""Every file that leaves frontdesk: spreadsheet-safe, private and whole.

One writer for all exports (reports, the ticket list with names, invoices, referrals,
packs, access requests):

- **Spreadsheet-safe.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return would run as a formula when the file is opened in a spreadsheet
  (OWASP "CSV injection"). In CSV it gets a leading apostrophe; in XLSX it is written as
  an explicit text cell (with the "quote prefix" style, so editing it keeps it text).
  Numbers stay numbers, and so does text that is only a number ("-2.5", "12%").
- **Read as meant.** With the ";" delimiter (a spreadsheet set to Dutch), a number with a
  fraction is written with a decimal comma ("16,3", "47,4%", "87,50"); Dutch Excel would
  read "16.3" as text or a date.
- **Private.** Files are created readable by their owner only (mode 0600, given to
  ``os.open``: never readable by others, not even for a moment).
- **Whole or not at all.** The file is written to a temporary file in the same folder and
  renamed over the target when complete, so a full disk or a crash leaves no half file.
- **Audited after the fact.** :func:`deliver_audited` records the export only once the
  file is complete; a failure is recorded as ``failed`` with the reason, and raised as a
  :class:`ValidationError` on the ``path`` field in words a desk clerk understands.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.services import audit
from frontdesk.services.errors import FrontdeskError, ValidationError

if TYPE_CHECKING:
    from frontdesk.clock import Clock
    from frontdesk.db import Database
    from frontdesk.services.auth import Actor

#: A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")

#: Where an export goes: a file (written privately and atomically) or a callable that
#: takes the bytes (the terminal).
Target = Path | Callable[[bytes], object]


def is_formula(value: object) -> bool:
    """True for text a spreadsheet would run as a formula."""
    return (
        isinstance(value, str)
        and value[:1] in FORMULA_STARTS
        and _PLAIN_NUMBER.fullmatch(value) is None
    )


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as typed: formulas get a leading apostrophe."""
    if is_formula(value):
        return "'" + value
    return value


#: The cell separators a CSV export may use: "," (the standard) or ";" (what a spreadsheet
#: set to Dutch expects, where "," is the decimal comma); ``[exports] delimiter``.
DELIMITERS = (",", ";")
#: A number with a fraction as the exports write it: "16.3", "-2.5", "47.4%", "87.50".
_DECIMAL = re.compile(r"[+-]?\d+\.\d+%?")


def decimal_comma(value: Any) -> Any:
    """A number with a fraction (a float, a Decimal, or text that is only such a number)
    with a decimal comma, for a spreadsheet set to Dutch; anything else as it is."""
    if isinstance(value, float | Decimal):
        text = str(value)
        return text.replace(".", ",") if _DECIMAL.fullmatch(text) else text
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return value.replace(".", ",")
    return value


def csv_text(rows: Iterable[Sequence[Any]], delimiter: str = ",") -> str:
    """Rows as CSV text (RFC 4180: CRLF between rows, so a cell holding a lone CR or LF is
    quoted); ``None`` is an empty cell, every text cell is made safe; cells are separated
    by ``delimiter`` ("," or ";"; with ";" fractions get a decimal comma)."""
    if delimiter not in DELIMITERS:
        raise ValidationError("delimiter", 'the CSV delimiter is "," or ";"')
    dutch = delimiter == ";"
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        cells = (decimal_comma(v) if dutch else v for v in row)
        writer.writerow(["" if v is None else safe_cell(v) for v in cells])
    return out.getvalue()


def append_row(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row to an openpyxl sheet; text that looks like a formula stays text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if is_formula(cell.value):
            cell.data_type = "s"  # openpyxl made it a formula ("f"): an explicit string
            cell.quotePrefix = True  # and Excel keeps it text when someone edits it


def workbook_bytes(book: Any) -> bytes:
    """The workbook as bytes (saved in memory: never a half-written file on disk)."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- writing files ---------------------------------------------------------------------------
def _why(exc: OSError) -> str:
    """An OSError in a desk clerk's words."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full; nothing was written"
    if code == errno.EISDIR:
        return "that is a folder; add a file name, e.g. report.csv"
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "that folder does not exist"
    if code in (errno.EACCES, errno.EPERM):
        return "no permission to write there; choose another place"
    if code == errno.EROFS:
        return "that disk is read-only; choose another place"
    if code == errno.ENAMETOOLONG:
        return "the file name is too long"
    return f"cannot write there ({exc.strerror or type(exc).__name__})"


def check_target(path: Path, field: str = "path") -> Path:
    """Where an export may go; refused with a ValidationError before anything is made."""
    try:
        if "\x00" in str(path) or not str(path).strip():
            raise ValueError("not a path")
        path = path.expanduser()
        if path.is_dir():
            raise ValidationError(field, "that is a folder; add a file name, e.g. report.csv")
        if not path.parent.is_dir():
            raise ValidationError(field, "that folder does not exist")
    except (OSError, ValueError, RuntimeError):  # too long, NUL byte, unknown ~user
        raise ValidationError(field, "this is not a place a file can be written") from None
    return path


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_private(path: Path | str, data: bytes, *, field: str = "path") -> Path:
    """Write ``data`` to ``path``: mode 0600, atomically (temporary file + rename).

    A device or pipe (``/dev/stdout``) is written directly. Any problem is a
    ValidationError on ``field`` and leaves no file behind.
    """
    target = check_target(Path(path), field)
    try:
        try:
            mode = target.stat().st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            return target
        temp = target.with_name(f".{target.name[:80]}.{secrets.token_hex(4)}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(temp, flags, 0o600)
        try:
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ValidationError(field, _why(exc)) from None
    except ValueError:  # a path the system cannot take (a NUL byte)
        raise ValidationError(field, "this is not a place a file can be written") from None
    return target


def deliver(data: bytes, to: Target, *, field: str = "path") -> Path | None:
    """Send an export to a file (private, atomic) or to a callable (the terminal)."""
    if isinstance(to, Path):
        return write_private(to, data, field=field)
    try:
        to(data)
    except OSError as exc:
        raise ValidationError(field, _why(exc)) from None
    return None


def deliver_audited(
    db: Database,
    clock: Clock,
    actor: Actor,
    data: bytes,
    to: Target | None,
    *,
    action: str,
    object_type: str | None = None,
    object_id: object = None,
    reason: str | None = None,
) -> Path | None:
    """Deliver an export, then audit it: "ok" once complete, "failed" (with why) if not.

    ``to=None`` hands the bytes to the caller (who holds them: audited as exported).
    """

    def record(result: str, why: str | None) -> None:
        with db.write() as session:
            audit.record(
                session,
                clock,
                action=action,
                actor=actor,
                object_type=object_type,
                object_id=object_id,
                result=result,
                reason=why,
            )

    try:
        where = None if to is None else deliver(data, to)
    except FrontdeskError as exc:
        record("failed", f"{reason}; not written: {exc.message}" if reason else exc.message)
        raise
    record("ok", reason)
    return where
