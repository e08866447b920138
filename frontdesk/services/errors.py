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
