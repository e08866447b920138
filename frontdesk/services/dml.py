"""What an UPDATE or DELETE run through a Session changed."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed.

    ``Session.execute`` is typed to return a ``Result``; for a DML statement it is a
    ``CursorResult``, which carries the count (the conditional updates rely on it)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
