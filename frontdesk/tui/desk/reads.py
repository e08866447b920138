"""The desk's reads: today's queue as table rows, and what the desk shows of it.

The desk screen reads through these in its worker; the App calls ``first_read`` in the
log-in's thread right after the PIN is checked, so the desk is drawn from data read already.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from frontdesk.services import Actor
from frontdesk.services.queue import TicketInfo
from frontdesk.tui.desk.card import DeskUpdate, VisitorCard
from frontdesk.tui.desk.queue_rows import Cells, diff_rows, row_cells

if TYPE_CHECKING:
    from frontdesk.services import Services


def first_read(services: Services, actor: Actor, desk: int) -> DeskUpdate:
    """The desk's first read (today's queue and the card of the visitor called here), as
    the desk does it when opened; the App does it in the log-in's thread, right after the
    PIN is checked, so the desk is drawn from it (FrontdeskApp.first_read)."""
    with services.snapshot():
        version, tickets, new = today_rows(services, actor)
        return desk_update(services, actor, desk, version, tickets, new, ({}, ()), None, True)


Row = tuple[int, Cells]


def today_rows(services: Services, actor: Actor) -> tuple[int, list[TicketInfo], list[Row]]:
    """Today's whole queue: its version, the tickets in call order, their table rows."""
    clock = services.clock
    now = clock.now()
    version = services.queue.version()
    tickets = services.queue.today(actor)
    return version, list(tickets), [(t.id, row_cells(t, now, clock)) for t in tickets]


def desk_update(
    services: Services,
    actor: Actor,
    desk: int,
    version: int,
    tickets: Sequence[TicketInfo],
    new: list[Row],
    shown: tuple[Mapping[int, Cells], tuple[int, ...]],
    card_key: tuple[int, int | None] | None,
    force: bool,
) -> DeskUpdate:
    """The table's diff from the rows ``shown`` (and their order) to ``new``, the ticket
    called at this desk, and its visitor's card when that visitor changed (``card_key``)
    or ``force``. Without the waiting strip and the stock line (``load``, ``low_stock``)."""
    diff = diff_rows(shown[0], shown[1], new)
    current = next((t for t in tickets if t.status == "called" and t.desk == desk), None)
    card = None
    if current is not None and current.visitor_id is not None:
        key = (current.id, current.visitor_id)
        if key != card_key or force:
            visitor = services.visitors.get(actor, current.visitor_id)
            visits = services.queue.visits(actor, current.visitor_id)
            contacts = services.visitors.contacts(actor, current.visitor_id)
            card = VisitorCard(visitor, tuple(visits), tuple(contacts))
    return DeskUpdate(
        version=version,
        diff=diff,
        rows=dict(new),
        order=tuple(tid for tid, _ in new),
        tickets={t.id: t for t in tickets},
        current=current,
        card=card,
        load=None,
        low_stock=None,
    )
