"""Errors the services raise. Their messages are written for the person at the desk."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T")


class FrontdeskError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(FrontdeskError):
    """Input was rejected. ``field`` names the form field; the message never holds its value.

    ``errors`` holds every field found wrong (the first is ``field``), so that a form can
    show them all at once instead of one per attempt.
    """

    def __init__(self, field: str, message: str, *, more: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors: dict[str, str] = {field: message, **(more or {})}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Problems:
    """Collects what is wrong with a form, field by field, and raises them together.

    problems = Problems()
    born = problems.check(check_birth_date, data.birth_date, today)
    phone = problems.check(normalise_phone, data.phone)
    problems.raise_any()
    """

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, parse: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        try:
            return parse(*args, **kwargs)
        except ValidationError as error:
            for field, message in error.errors.items():
                self.errors.setdefault(field, message)
            return None

    def raise_any(self) -> None:
        if self.errors:
            field, message = next(iter(self.errors.items()))
            raise ValidationError(field, message, more=self.errors)


class PermissionDenied(FrontdeskError):
    """The acting staff member's role may not do this."""


class NotFound(FrontdeskError):
    """The thing asked for does not exist (any more)."""


class Conflict(FrontdeskError):
    """Someone else changed it first (e.g. another desk called that ticket)."""


class AlreadyWaiting(Conflict):
    """The visitor already has an open ticket today; ``label`` is that ticket's number.
    Asked again with ``second_ticket=True``, the service issues another one anyway."""

    def __init__(self, label: str) -> None:
        super().__init__(
            f"This visitor already has ticket {label} today, still open; "
            "a second ticket was not issued."
        )
        self.label = label


class OutsideWalkInHours(Conflict):
    """A walk-in ticket asked for while the walk-in hours are closed; ``hours`` says today's
    hours in words ("Monday 15:00-17:00"). Asked again with ``out_of_hours=True`` (the
    clerk was asked and said yes), the service issues it anyway."""

    def __init__(self, hours: str) -> None:
        super().__init__(f"Walk-in hours are closed now ({hours}); no ticket was issued.")
        self.hours = hours


# The largest id the tables can hold: their id columns are INTEGER, 32 bits on PostgreSQL
# (SQLite's would go to 2**63 - 1, but both databases refuse alike).
MAX_ID = 2**31 - 1


def check_id(value: object, message: str, *, field: str | None = None) -> int:
    """An id as a service takes it: a plain int from 1 to MAX_ID, else refused.

    A bool (True is 1), a float, text, a negative or a too large number is the id of
    nothing here. It is refused as the call refuses an id that is not there: NotFound with
    ``message``, or ValidationError(field, message) when ``field`` is given, before any
    SQL. Unchecked, such values gave a DataError (PostgreSQL), an OverflowError (SQLite),
    or found row 1 for True and row 5 for "5" on SQLite.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        if field is not None:
            raise ValidationError(field, message)
        raise NotFound(message)
    return value


def check_optional_id(value: object, message: str, *, field: str | None = None) -> int | None:
    """check_id, where None means "none" and is let through."""
    return None if value is None else check_id(value, message, field=field)


# PostgreSQL error codes after which the same call may well succeed: the server is shutting
# down or starting (57P01-57P03), or the transaction lost a race and was rolled back
# (serialization failure, deadlock). Class 08 (connection exceptions) is matched whole.
_POSTGRES_TRANSIENT = frozenset({"57P01", "57P02", "57P03", "40001", "40P01"})


def database_unreachable(error: BaseException) -> bool:
    """True when the database is busy (SQLite locked) or gone (a dropped PostgreSQL
    connection, a server restarting): the call changed nothing (its transaction did not
    commit) and the same call is worth trying again in a moment.

    Anything else (a disk I/O error, a missing table, a full disk, an error from another
    driver) would fail the same way again, so it is not retried.
    """
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return "locked" in text or "busy" in text
    return _postgres_transient(original)


def _postgres_transient(original: BaseException | None) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - installed with the postgres extra
        return False
    if not isinstance(original, psycopg.Error):
        return False
    state = original.sqlstate
    if state is None:  # raised by the client: connection refused, server closed it
        return isinstance(original, psycopg.OperationalError)
    return state.startswith("08") or state in _POSTGRES_TRANSIENT
