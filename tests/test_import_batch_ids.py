"""An import's chunk inserts its new visitors in multi-row statements: each row gets its
own id back, whether matched by name and birth date or, when those are missing or
repeated, inserted in order."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from frontdesk.db.models import Visitor
from frontdesk.services import Services
from frontdesk.services.appointments.batch import _VISITORS, _insert_ids
from frontdesk.services.visitors import VisitorInput, check_visitor


def _row(services: Services, given: str, born: date | None, notes: str) -> dict[str, Any]:
    values = check_visitor(
        VisitorInput(
            given_names=given,
            family_name="Idtest",
            birth_date=born.isoformat() if born else None,
            notes=notes,
        ),
        services.clock.today(),
    )
    now = services.clock.now()
    return {**values, "created_at": now, "updated_at": now}


def test_each_inserted_row_gets_its_own_id(services: Services) -> None:
    matched = [
        _row(services, name, date(1990, 1, day), f"matched {name}")
        for day, name in enumerate(("Anna", "Bram", "Carla", "Daan", "Anna"), start=1)
    ]
    in_order = [  # no birth date, and a name twice: nothing to match by
        _row(services, "Eva", None, "first Eva"),
        _row(services, "Eva", None, "second Eva"),
        _row(services, "Femke", date(1991, 2, 3), "Femke"),
    ]
    with services.db.write() as session:
        for rows in (matched, in_order):
            ids = _insert_ids(session, _VISITORS, rows, ("search_key", "birth_date"))
            notes = dict(
                session.execute(select(Visitor.id, Visitor.notes).where(Visitor.id.in_(ids))).all()
            )
            assert len(set(ids)) == len(rows)
            assert [notes[i] for i in ids] == [r["notes"] for r in rows]
