"""What needs no database: a typed quantity, the periods of the stock report, and the
file an export goes to.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from frontdesk.services.errors import ValidationError
from frontdesk.services.exports import (
    check_target,
    write_private,
)
from frontdesk.services.packs.records import (
    MAX_QUANTITY,
    Period,
)


def parse_quantity(value: object, field: str, *, allow_zero: bool = False) -> int:
    """A whole number of packs as typed; negative, fractional or absurd ones are refused."""
    if isinstance(value, bool):
        raise ValidationError(field, "type a whole number of packs")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            raise ValidationError(field, "type the number of packs")
        if text.startswith("-"):
            raise ValidationError(field, "the number of packs cannot be negative")
        if not text.isdecimal() or not text.isascii():
            raise ValidationError(field, "type a whole number of packs (digits only)")
        number = int(text)
    else:
        raise ValidationError(field, "type a whole number of packs")
    if number < 0:
        raise ValidationError(field, "the number of packs cannot be negative")
    if number == 0 and not allow_zero:
        raise ValidationError(field, "the number of packs must be at least 1")
    if number > MAX_QUANTITY:
        raise ValidationError(field, f"that is more than {MAX_QUANTITY:,} packs; check the number")
    return number


def period_start(day: date, period: Period) -> date:
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def period_label(start: date, period: Period) -> str:
    if period == "day":
        return start.isoformat()
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m")


def check_export_path(path_text: str) -> Path:
    """Where an export may go; a problem is a ValidationError on "path" (checked first)."""
    text = (path_text or "").strip()
    if not text:
        raise ValidationError("path", "type the file to write, e.g. ~/packs.csv")
    return check_target(Path(text))


def write_export(path_text: str, content: str) -> Path:
    """Write an export where the person asked (0600, atomic); a problem is a
    ValidationError on "path"."""
    return write_private(check_export_path(path_text), content.encode("utf-8"))
