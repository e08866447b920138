"""One row by its id inside a unit of work, or the service's refusal: every "this partner
does not exist" goes through here, so a missing row is refused the same way everywhere."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from frontdesk.db.models import Visitor
from frontdesk.services.errors import NotFound

M = TypeVar("M")


def row_or_refuse(
    session: Session, model: type[M], row_id: int, missing: str, *, lock: bool = False
) -> M:
    """The ``model`` row ``row_id`` (locked FOR UPDATE with ``lock``), else NotFound(missing).
    Check the id first with :func:`~frontdesk.services.errors.check_id`."""
    row = session.get(model, row_id, with_for_update=True if lock else None)
    if row is None:
        raise NotFound(missing)
    return row


def live_visitor(
    session: Session,
    visitor_id: int,
    missing: str = "this visitor no longer exists",
    *,
    lock: bool = False,
) -> Visitor:
    """A visitor who is still there: neither gone nor anonymised (erased), else NotFound."""
    row = session.get(Visitor, visitor_id, with_for_update=True if lock else None)
    if row is None or row.anonymised_at is not None:
        raise NotFound(missing)
    return row
