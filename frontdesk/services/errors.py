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


def database_unreachable(error: BaseException) -> bool:
    """True when the database is busy (SQLite locked) or gone (PostgreSQL restarting).

    Such a call changed nothing (its transaction did not commit) and is worth retrying;
    any other database error is not.
    """
    import sqlite3

    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    original = error.orig
    if isinstance(original, sqlite3.Error):
        text = str(original).lower()
        return any(word in text for word in ("locked", "busy", "unable to open"))
    return True  # PostgreSQL: connection refused, server closed the connection, ...
