"""The visitor card shows the visitor's e-mail, phone and video contacts beside past visits."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.desk.card import VisitorCard, card_text
from tests.helpers import at_desk, press


def _visitor(services: Services, clerk: Actor) -> int:
    return services.visitors.register(
        clerk, VisitorInput(given_names="Zoë", family_name="Ødegård")
    ).id


def test_contacts_newest_first_without_walk_ins(services: Services, clerk: Actor) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    vid = _visitor(services, clerk)
    other = services.visitors.register(clerk, VisitorInput(given_names="Priya")).id
    services.queue.log_contact(clerk, "phone", "housing question", 10, visitor_id=vid)
    clock.advance(hours=1)
    services.queue.log_contact(clerk, "walk_in", "came by", 5, visitor_id=vid)
    services.queue.log_contact(clerk, "email", "sent the BSN checklist", 3, visitor_id=vid)
    services.queue.log_contact(clerk, "video", "someone else", 20, visitor_id=other)
    contacts = services.visitors.contacts(clerk, vid)
    assert [(c.channel_label, c.minutes, c.topic) for c in contacts] == [
        ("E-mail", 3, "sent the BSN checklist"),
        ("Phone", 10, "housing question"),
    ]
    assert contacts[0].at.utcoffset() is not None  # local time, for the card
    assert contacts[0].at.hour == services.clock.local_now().hour


def test_contacts_are_limited(services: Services, clerk: Actor) -> None:
    vid = _visitor(services, clerk)
    for i in range(8):
        services.queue.log_contact(clerk, "phone", f"call {i}", 1, visitor_id=vid)
    assert len(services.visitors.contacts(clerk, vid)) == 6
    assert len(services.visitors.contacts(clerk, vid, limit=2)) == 2


def test_card_text_lists_contacts(services: Services, clerk: Actor) -> None:
    vid = _visitor(services, clerk)
    services.queue.log_contact(clerk, "video", "intake call", 25, visitor_id=vid)
    ticket = services.queue.register_walk_in(
        clerk, VisitorInput(given_names="X"), service_code="info"
    )[1]
    card = VisitorCard(
        services.visitors.get(clerk, vid), (), tuple(services.visitors.contacts(clerk, vid))
    )
    text = card_text(card, ticket).plain
    day = services.clock.today()
    assert "Contacts" in text and f"{day:%d-%m-%Y} Video call 25 min — intake call" in text


async def test_desk_card_shows_contacts(desk_services: Services) -> None:
    from tests.conftest import add_staff

    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    visitor, _ticket = desk_services.queue.register_walk_in(
        clerk, VisitorInput(given_names="Łukasz"), service_code="info"
    )
    desk_services.queue.log_contact(clerk, "phone", "asked about the 30% ruling", 12, visitor.id)
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        card: Any = app.screen.query_one("#card", Static)
        shown = str(card.content)
        assert "Contacts" in shown and "Phone 12 min — asked about the 30% ruling" in shown
