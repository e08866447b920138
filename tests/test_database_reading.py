"""Database.reading(): several reads on one connection, in one read transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from frontdesk.db.models import Ticket
from frontdesk.services import Actor, Services
from frontdesk.services.errors import NotFound


def _checkouts(services: Services) -> list[int]:
    taken: list[int] = []

    def count(*_args: Any) -> None:
        taken.append(1)

    event.listen(services.db.engine, "checkout", count)
    return taken


def test_the_desks_reads_share_one_connection(services: Services, clerk: Actor) -> None:
    q = services.queue
    ticket = q.issue(clerk, "info")
    taken = _checkouts(services)
    with services.db.reading():
        changes = q.changed_since(clerk, 0)
        load = q.load()
        version = q.version()
        found = q.find_ticket(clerk, ticket.label)
        services.packs.low_stock()
    assert len(taken) == 1
    assert [t.id for t in changes.tickets] == [ticket.id]
    assert version == changes.version
    assert sum(s.waiting for s in load) == 1
    assert found is not None and found.id == ticket.id
    assert services.db.engine.pool.checkedout() == 0  # given back when the block ended

    q.load()
    q.version()
    assert len(taken) == 3  # outside the block: one each, as before


def test_a_refused_read_inside_leaves_the_block_usable(services: Services, clerk: Actor) -> None:
    with services.db.reading():
        with pytest.raises(NotFound):
            services.visitors.get(clerk, 999_999)
        assert services.queue.version() == 0
    assert services.db.engine.pool.checkedout() == 0


def test_a_write_inside_commits_on_its_own(services: Services, clerk: Actor) -> None:
    with services.db.reading():
        services.queue.version()
        services.queue.issue(clerk, "info")  # its own write transaction
        other = services.db.engine.connect()  # another reader sees it at once
        try:
            assert other.scalar(select(func.count()).select_from(Ticket)) == 1
        finally:
            other.close()
        with services.db.reading():  # nested: joins the outer block
            services.queue.load()
    assert services.queue.changed_since(clerk, 0).tickets[0].status == "waiting"
