"""Hostile and random input into every service entry point (hypothesis, SQLite).

Whatever comes in, a service either accepts it or rejects it with a ValidationError that
names one of the call's own fields (or NotFound/Conflict for an id that is not there),
and a rejected call leaves every table as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import Base
from frontdesk.services import Actor, Conflict, NotFound, Services, ValidationError
from frontdesk.services.visitors import VISITOR_FIELDS, VisitorInput
from tests.conftest import add_staff, make_services

HOSTILE = [
    "",
    " ",
    "'; DROP TABLE visitors; --",
    '" OR 1=1 --',
    "%_\\",
    "[bold red]x[/]",
    "[link=https://example.org]click[/link]",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום",
    "\x00",
    "a\x00b",
    "line\nbreak",
    "tab\there",
    "\x1b[31mred",
    "\u200b",
    "😀" * 50,
    "Ødegård",
    "2026-02-30",
    "31-13-2026",
    "0000-00-00",
    "9999-12-31",
    "1800-01-01",
    "+31 6 1234 5678",
    "06-12345678",
    "a@b.nl",
    "a\x00@example.nl",
    "NL",
    "Netherlands",
    "0",
    "-1",
    "99999999999999999999",
]
HUGE = st.builds(
    lambda s, n: s * n, st.sampled_from(["x", "é", "'", "\n", "[b]"]), st.integers(201, 6000)
)
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    HUGE,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.none(),
    st.binary(max_size=20),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.floats(allow_nan=True),
)
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def world(db_url: str, clock: FixedClock) -> Iterator[tuple[Services, Actor, Actor, int]]:
    services = make_services(db_url, clock)
    lead = add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    visitor = services.visitors.register(clerk, VisitorInput(given_names="Known", family_name="X"))
    yield services, lead, clerk, visitor.id
    services.close()


def counts(services: Services) -> dict[str, int]:
    with services.db.read() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def assert_rejected_cleanly(services: Services, fields: set[str], call: Callable[[], Any]) -> None:
    """Accepted, or refused with a ValidationError naming a field and nothing changed."""
    before = counts(services)
    try:
        call()
    except ValidationError as exc:
        assert exc.field in fields, f"{exc.field!r} is not a field of this call"
        assert exc.message and "Traceback" not in exc.message
    except (NotFound, Conflict):
        pass
    else:
        return
    assert counts(services) == before, "a rejected call changed the database"


def visitor_input(values: dict[str, Any]) -> VisitorInput:
    return VisitorInput(**values)


VISITOR = st.fixed_dictionaries({}, optional={f: VALUES for f in VISITOR_FIELDS})


@FUZZ
@given(data=VISITOR)
def test_register_visitor(world: Any, data: dict[str, Any]) -> None:
    services, _lead, clerk, _known = world
    assert_rejected_cleanly(
        services,
        set(VISITOR_FIELDS),
        lambda: services.visitors.register(clerk, VisitorInput(**data)),
    )


@FUZZ
@given(data=VISITOR, service=VALUES, priority=st.booleans())
def test_register_walk_in(world: Any, data: dict[str, Any], service: Any, priority: bool) -> None:
    services, _lead, clerk, _known = world
    fields = {*VISITOR_FIELDS, "service"}
    assert_rejected_cleanly(
        services,
        fields,
        lambda: services.queue.register_walk_in(
            clerk, VisitorInput(**data), service_code=service, priority=priority
        ),
    )


@FUZZ
@given(data=VISITOR)
def test_update_visitor(world: Any, data: dict[str, Any]) -> None:
    services, _lead, clerk, known = world
    assert_rejected_cleanly(
        services,
        set(VISITOR_FIELDS),
        lambda: services.visitors.update(clerk, known, VisitorInput(**data)),
    )


@FUZZ
@given(query=VALUES)
def test_search_and_same_person(world: Any, query: Any) -> None:
    services, _lead, clerk, _known = world
    text = query if isinstance(query, str) else str(query)
    assert_rejected_cleanly(services, set(), lambda: services.visitors.search(clerk, text))
    assert_rejected_cleanly(services, set(), lambda: services.queue.find_ticket(clerk, text))
    assert_rejected_cleanly(
        services,
        set(),
        lambda: services.visitors.same_person(clerk, VisitorInput(given_names=text)),
    )


@FUZZ
@given(
    channel=st.one_of(st.sampled_from(["email", "phone", "video", "walk_in"]), VALUES),
    topic=VALUES,
    minutes=VALUES,
    linked=st.booleans(),
)
def test_log_contact(world: Any, channel: Any, topic: Any, minutes: Any, linked: bool) -> None:
    services, _lead, clerk, known = world
    assert_rejected_cleanly(
        services,
        {"channel", "topic", "minutes"},
        lambda: services.queue.log_contact(
            clerk, channel, topic, minutes, visitor_id=known if linked else None
        ),
    )


@FUZZ
@given(notes=VALUES, outcome=VALUES, service=VALUES)
def test_ticket_entry_points(world: Any, notes: Any, outcome: Any, service: Any) -> None:
    services, _lead, clerk, known = world
    assert_rejected_cleanly(
        services, {"notes", "service"}, lambda: services.queue.issue(clerk, service, notes=notes)
    )
    ticket = services.queue.issue(clerk, "info", visitor_id=known)
    assert_rejected_cleanly(
        services, {"notes"}, lambda: services.queue.update_notes(clerk, ticket.id, notes)
    )
    assert_rejected_cleanly(
        services, {"service"}, lambda: services.queue.transfer(clerk, ticket.id, service)
    )
    called = services.queue.call_ticket(clerk, ticket.id, 1)
    assert_rejected_cleanly(
        services, {"outcome"}, lambda: services.queue.finish(clerk, called.id, outcome)
    )
    current = services.queue.current(clerk, 1)
    if current is not None:
        services.queue.finish(clerk, current.id)


@FUZZ
@given(
    name=VALUES,
    role=st.one_of(st.sampled_from(["lead", "desk", "intern"]), VALUES),
    pin=st.one_of(st.sampled_from(["1234", "12345678"]), VALUES),
    repeat=VALUES,
)
def test_staff_add(world: Any, name: Any, role: Any, pin: Any, repeat: Any) -> None:
    services, lead, _clerk, _known = world
    assert_rejected_cleanly(
        services,
        {"name", "role", "pin", "pin_repeat"},
        lambda: services.staff.add(lead, name, role, pin, repeat),
    )


@FUZZ
@given(
    days=VALUES,
    reason=VALUES,
    filters=st.dictionaries(
        st.sampled_from(["action", "actor_name", "since", "until", "object_type", "object_id"]),
        VALUES,
    ),
)
def test_privacy_and_audit(world: Any, days: Any, reason: Any, filters: dict[str, Any]) -> None:
    services, lead, _clerk, known = world
    assert_rejected_cleanly(
        services,
        {"older_than"},
        lambda: services.privacy.purge(lead, older_than_days=days, dry_run=True),
    )
    filter_fields = {"since", "until", "action", "actor_name", "object_type", "object_id"}
    assert_rejected_cleanly(services, filter_fields, lambda: services.audit.recent(lead, **filters))
    try:
        real_folder = Path(str(reason)).expanduser().is_dir()
    except (OSError, ValueError, RuntimeError):
        real_folder = False
    if not real_folder:  # never write exports into real folders
        assert_rejected_cleanly(
            services, {"directory"}, lambda: services.privacy.export(lead, known, reason)
        )
    # Erasure: only a rejected reason is tried (an accepted one would erase the visitor).
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        assert_rejected_cleanly(
            services, {"reason"}, lambda: services.privacy.erase(lead, known, reason)
        )
