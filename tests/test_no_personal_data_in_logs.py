"""No name, phone number or e-mail address in log records or error messages."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from frontdesk.db.models import Visitor
from frontdesk.services import Actor, Services, ValidationError
from frontdesk.services.visitors import VisitorInput

SECRETS = ("Zebulon", "Quixotebeard", "+31612345678", "612345678", "zq@example.org")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def test_registrations_leave_no_personal_data_in_logs_or_errors(
    services: Services, clerk: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, SQLAlchemy's SQL echo included
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    bad = VisitorInput(
        given_names="Zebulon",
        family_name="Quixotebeard",
        phone="06-12345678",
        email="zq@example.org",
        birth_date="2999-01-01",
    )
    with pytest.raises(ValidationError) as err:
        services.queue.register_walk_in(clerk, bad)
    assert err.value.field == "birth_date"
    assert _leaks(str(err.value)) == []

    with pytest.raises(ValidationError) as err:
        services.visitors.register(
            clerk, VisitorInput(given_names="Zebulon", email="zq@example.org@@")
        )
    assert _leaks(str(err.value)) == []

    good = VisitorInput(
        given_names="Zebulon",
        family_name="Quixotebeard",
        phone="06-12345678",
        email="zq@example.org",
    )
    visitor, _ticket = services.queue.register_walk_in(clerk, good)
    services.visitors.search(clerk, "zebulon")
    services.visitors.search(clerk, "zq@example.org")

    # A failure inside the database: its message must not carry the row's values either.
    with pytest.raises(IntegrityError) as db_err, services.db.write() as session:
        now = services.clock.now()
        session.add(
            Visitor(
                id=visitor.id,
                given_names="Zebulon",
                family_name="Quixotebeard",
                search_key="zebulon quixotebeard",
                family_key="quixotebeard",
                phone="+31612345678",
                email="zq@example.org",
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
    assert _leaks(str(db_err.value)) == []

    records = [r for r in caplog.records]
    assert any(r.name.startswith("sqlalchemy") for r in records), "SQL echo was not captured"
    for record in records:
        assert _leaks(record.getMessage()) == [], record.getMessage()[:200]
        assert _leaks(repr(record.args)) == []
