"""Ratings after the visit (services): one per finished visit, the tablet's own desk only,
and the satisfaction figures against a hand count. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import Rating, Ticket
from frontdesk.services import Actor, NotFound, PermissionDenied, Services, ValidationError
from frontdesk.services.feedback import tablet_actor
from tests.helpers import add_ticket, at, walk_in

DAY = date(2026, 11, 23)


def finished(services: Services, clerk: Actor, name: str = "Ana", desk: int = 1) -> int:
    ticket = walk_in(services, clerk, name)
    there = replace(clerk, desk=desk)
    services.queue.call_ticket(there, ticket.id, desk)
    services.queue.finish(there, ticket.id)
    return int(ticket.id)


def test_the_tablet_asks_about_its_desks_last_visit_once(
    services: Services, clerk: Actor, clock: FixedClock
) -> None:
    tablet = tablet_actor(1)
    assert services.feedback.to_ask(tablet) is None
    first = finished(services, clerk, "Ana")
    clock.advance(minutes=1)
    second = finished(services, clerk, "Bo")
    other_desk = finished(services, clerk, "Cy", desk=2)
    visit = services.feedback.to_ask(tablet)
    assert visit is not None and visit.ticket_id == second and visit.desk == 1
    assert visit.language is None
    assert services.feedback.to_ask(tablet_actor(2)).ticket_id == other_desk  # type: ignore[union-attr]
    services.feedback.record(tablet, second, 4)
    # The rated visit is not asked again; the older one still may be, for a few minutes.
    assert services.feedback.to_ask(tablet).ticket_id == first  # type: ignore[union-attr]
    clock.advance(minutes=10)
    assert services.feedback.to_ask(tablet) is None


def test_one_rating_per_ticket_the_first_counts(services: Services, clerk: Actor) -> None:
    ticket = finished(services, clerk)
    tablet = tablet_actor(1)
    first = services.feedback.record(tablet, ticket, 3, "friendliness")
    assert first.created and (first.score, first.reason, first.desk) == (3, "friendliness", 1)
    again = services.feedback.record(tablet, ticket, 1, "waiting")
    assert not again.created
    assert (again.score, again.reason) == (3, "friendliness")
    with services.db.read() as session:
        rows = session.execute(select(Rating.score, Rating.reason)).all()
    assert [tuple(r) for r in rows] == [(3, "friendliness")]


def test_bad_ratings_are_refused_and_change_nothing(
    services: Services, clerk: Actor, intern: Actor
) -> None:
    ticket = finished(services, clerk)
    tablet = tablet_actor(1)
    with pytest.raises(ValidationError) as err:
        services.feedback.record(tablet, ticket, 5)
    assert err.value.field == "score"
    with pytest.raises(ValidationError) as err:
        services.feedback.record(tablet, ticket, 2, "the coffee")
    assert err.value.field == "reason"
    with pytest.raises(ValidationError, match="own desk"):
        services.feedback.record(tablet_actor(2), ticket, 2)
    with pytest.raises(NotFound):
        services.feedback.record(tablet, ticket + 99, 2)
    waiting = walk_in(services, clerk, "Eve")
    with pytest.raises(ValidationError, match="finished visit"):
        services.feedback.record(tablet, waiting.id, 2)
    for person in (clerk, intern):
        with pytest.raises(PermissionDenied):
            services.feedback.record(person, ticket, 2)
    with services.db.read() as session:
        assert session.scalar(select(func.count(Rating.id))) == 0


def test_the_tablet_role_may_do_nothing_else(services: Services) -> None:
    tablet = tablet_actor(1)
    with pytest.raises(PermissionDenied, match="rating tablet"):
        services.queue.today(tablet)
    with pytest.raises(PermissionDenied):
        services.visitors.search(tablet, "ana")
    with pytest.raises(PermissionDenied):
        services.feedback.satisfaction(tablet, DAY, DAY, "all")
    with pytest.raises(PermissionDenied):
        services.staff.list(tablet)


def test_a_staff_account_cannot_take_the_tablet_role(services: Services, lead: Actor) -> None:
    with pytest.raises(ValidationError) as err:
        services.staff.add(lead, "Tab Let", "feedback", "2468", "2468")
    assert err.value.field == "role"


def test_satisfaction_against_a_hand_count(services: Services, lead: Actor) -> None:
    # Six finished visits on Monday: info at desk 1 (3), desk 2 (1); packs at desk 2 (2).
    # Plus a no-show (not a finished visit) and a finished visit on Tuesday (outside).
    tablet1, tablet2 = tablet_actor(1), tablet_actor(2)
    t = {
        name: add_ticket(services, code, name, at(DAY, 9), at(DAY, 9, 5), at(DAY, 9, 20), desk=desk)
        for name, code, desk in (
            ("A001", "info", 1),
            ("A002", "info", 1),
            ("A003", "info", 1),
            ("A004", "info", 2),
            ("W001", "welcome_pack", 2),
            ("W002", "welcome_pack", 2),
        )
    }
    add_ticket(services, "info", "A005", at(DAY, 9), status="no_show", desk=1)
    tuesday = add_ticket(
        services, "info", "A001", at(date(2026, 11, 24), 9), finished=at(date(2026, 11, 24), 9, 9)
    )
    services.feedback.record(tablet1, t["A001"], 4)
    services.feedback.record(tablet1, t["A002"], 2, "waiting")
    services.feedback.record(tablet2, t["W001"], 3, "waiting")
    services.feedback.record(tablet2, t["W002"], 4, "friendliness")
    services.feedback.record(lead, tuesday, 1)

    def figures(by: str) -> dict[object, tuple[object, ...]]:
        rows = services.feedback.satisfaction(lead, DAY, DAY, by)
        return {r.key: (r.finished, r.ratings, r.response_rate, r.average, r.faces) for r in rows}

    assert figures("all") == {None: (6, 4, 4 / 6, 13 / 4, (0, 1, 1, 2))}
    assert figures("service") == {
        "Information & advice": (4, 2, 0.5, 3.0, (0, 1, 0, 1)),
        "Welcome pack": (2, 2, 1.0, 3.5, (0, 0, 1, 1)),
    }
    assert figures("desk") == {
        1: (3, 2, 2 / 3, 3.0, (0, 1, 0, 1)),
        2: (3, 2, 2 / 3, 3.5, (0, 0, 1, 1)),
    }
    assert figures("day") == {DAY: (6, 4, 4 / 6, 13 / 4, (0, 1, 1, 2))}
    reasons = figures("reason")
    assert {k: v[1] for k, v in reasons.items()} == {None: 1, "waiting": 2, "friendliness": 1}
    assert reasons["waiting"][3] == 2.5
    week = services.feedback.satisfaction(lead, DAY, date(2026, 11, 24), "day")
    assert [(r.key, r.finished, r.ratings) for r in week] == [
        (DAY, 6, 4),
        (date(2026, 11, 24), 1, 1),
    ]


def test_the_demo_has_ratings_in_its_history(desk_services: Services) -> None:
    from frontdesk.demo import fill_demo

    services = desk_services
    assert "ratings after visits" in fill_demo(services, days=3)
    lead = Actor(0, "command line", "lead")
    today = services.clock.today()
    rows = services.feedback.satisfaction(lead, date(2026, 1, 1), today, "all")
    assert len(rows) == 1
    total = rows[0]
    assert total.finished > 20 and 0.2 < total.ratings / total.finished < 0.6
    assert total.average is not None and 2.5 < total.average < 4
    with services.db.read() as session:
        unfinished = session.scalar(
            select(func.count(Rating.id))
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(Ticket.status != "done")
        )
    assert unfinished == 0
