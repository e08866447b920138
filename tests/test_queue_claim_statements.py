"""Call next on the wire (issue 20): the candidate is picked and claimed by one UPDATE,
so a call is one statement (one PostgreSQL round trip) shorter than a SELECT then an
UPDATE. Counted, not timed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from frontdesk.services import Actor, Services
from tests.helpers import walk_in

# The desk's lock (PostgreSQL), the busy check, the desk's services, the claim, its event,
# the notification (PostgreSQL) and the answer.
STATEMENTS = {"sqlite": 5, "postgresql": 7}


def test_call_next_picks_and_claims_in_one_update(services: Services, clerk: Actor) -> None:
    first = walk_in(services, clerk, "Ada")
    walk_in(services, clerk, "Bo")
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        called = services.queue.call_next(clerk, 1)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)
    assert called is not None and called.id == first.id and called.status == "called"
    assert len(sent) == STATEMENTS[services.db.dialect]
    claims = [s for s in sent if s.lstrip().upper().startswith("UPDATE TICKETS")]
    assert len(claims) == 1 and "SELECT" in claims[0].upper()


def test_call_next_with_nobody_waiting_changes_nothing(services: Services, clerk: Actor) -> None:
    assert services.queue.call_next(clerk, 1) is None
    assert services.queue.version() == 0
