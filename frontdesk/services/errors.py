"""Errors the services raise. Their messages are written for the person at the desk."""

from __future__ import annotations


class FrontdeskError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(FrontdeskError):
    """Input was rejected. ``field`` names the form field; the message never holds its value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


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
