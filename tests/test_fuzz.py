"""Hostile and random input into every service entry point (hypothesis; SQLite and
PostgreSQL).

Whatever comes in, a service either accepts it or rejects it with a ValidationError that
names one of the call's own fields (or NotFound/Conflict for an id that is not there),
and a rejected call leaves every table as it was, row for row and value for value. An id
that cannot be one (a bool, text, a float, a negative or a too large number) is always
refused, never a DataError or an OverflowError from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from frontdesk.clock import FixedClock
from frontdesk.db.models import Base
from frontdesk.services import Actor, Conflict, NotFound, Services, ValidationError
from frontdesk.services.errors import MAX_ID
from frontdesk.services.visitors import VISITOR_FIELDS, VisitorInput
from tests.conftest import TEST_PIN, add_staff, make_services

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


def contents(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: a refused call must change none."""
    with services.db.read() as session:
        return {
            t.name: [
                tuple(row)
                for row in session.execute(
                    select(t).order_by(*(t.primary_key.columns or t.columns))
                )
            ]
            for t in Base.metadata.sorted_tables
        }


def assert_rejected_cleanly(services: Services, fields: set[str], call: Callable[[], Any]) -> None:
    """Accepted, or refused with a ValidationError naming a field and nothing changed."""
    before = contents(services)
    try:
        call()
    except ValidationError as exc:
        assert exc.field in fields, f"{exc.field!r} is not a field of this call"
        assert exc.message and "Traceback" not in exc.message
    except (NotFound, Conflict):
        pass
    else:
        return
    assert contents(services) == before, "a rejected call changed the database"


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


# -- ids ----------------------------------------------------------------------------------
NOT_IDS = st.one_of(
    st.sampled_from(
        [True, False, 0, -1, 2**31, 2**63, 2**64, -(2**63), "1", "", 1.0, 1.5, float("nan")]
    ),
    st.integers(max_value=0),
    st.integers(min_value=MAX_ID + 1),
    st.text(max_size=10),
    st.floats(),
    st.binary(max_size=8),
)
IDS = st.one_of(NOT_IDS, st.integers(1, 5), st.integers(1, MAX_ID), st.just(MAX_ID))


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


# Each call: (fields a refusal may name, the call given the world and the fuzzed id).
Call = tuple[set[str], Callable[[Services, Actor, Path, Any], Any]]
ID_CALLS: dict[str, Call] = {
    "visitors.get": (set(), lambda s, a, d, i: s.visitors.get(a, i)),
    "visitors.update": (
        set(VISITOR_FIELDS),
        lambda s, a, d, i: s.visitors.update(a, i, VisitorInput(given_names="Known")),
    ),
    # The right PIN: a wrong one is refused *and* recorded (counted, audited), by design.
    "staff.login": ({"staff"}, lambda s, a, d, i: s.staff.login(i, TEST_PIN)),
    "staff.deactivate": ({"staff"}, lambda s, a, d, i: s.staff.deactivate(a, i)),
    "staff.reset_pin": ({"pin"}, lambda s, a, d, i: s.staff.reset_pin(a, i, "1234", "1234")),
    "staff.change_role": ({"role"}, lambda s, a, d, i: s.staff.change_role(a, i, "lead")),
    "partners.get": (set(), lambda s, a, d, i: s.partners.get(a, i)),
    "partners.set_active": (set(), lambda s, a, d, i: s.partners.set_active(a, i, True)),
    "partners.referral_count": (set(), lambda s, a, d, i: s.partners.referral_count(a, i)),
    "referrals.create/visitor": (
        {"partner", "reason", "consent"},
        lambda s, a, d, i: s.referrals.create(
            a, visitor_id=i, partner_id=1, reason="Needs a bank account", consent_given=False
        ),
    ),
    "referrals.create/partner": (
        {"partner", "reason", "consent"},
        lambda s, a, d, i: s.referrals.create(
            a, visitor_id=1, partner_id=i, reason="Needs a bank account", consent_given=False
        ),
    ),
    "referrals.get": (set(), lambda s, a, d, i: s.referrals.get(a, i)),
    "referrals.for_visitor": (set(), lambda s, a, d, i: s.referrals.for_visitor(a, i)),
    "referrals.assign": ({"assignee", "status"}, lambda s, a, d, i: s.referrals.assign(a, i)),
    "referrals.assign/staff": (
        {"assignee", "status"},
        lambda s, a, d, i: s.referrals.assign(a, 1, staff_id=i),
    ),
    "referrals.record_contact": (
        {"note", "status"},
        lambda s, a, d, i: s.referrals.record_contact(a, i, "Phoned the bank"),
    ),
    "referrals.accept": ({"note", "status"}, lambda s, a, d, i: s.referrals.accept(a, i)),
    "referrals.decline": ({"note", "status"}, lambda s, a, d, i: s.referrals.decline(a, i)),
    "referrals.close": (
        {"outcome", "outcome_text", "status"},
        lambda s, a, d, i: s.referrals.close(a, i, "other", "Moved away"),
    ),
    "packs.get": (set(), lambda s, a, d, i: s.packs.get(a, i)),
    "packs.history": (set(), lambda s, a, d, i: s.packs.history(a, i)),
    "packs.per_period": (set(), lambda s, a, d, i: s.packs.per_period(a, kind_id=i)),
    "packs.receive": ({"quantity", "note", "kind"}, lambda s, a, d, i: s.packs.receive(a, i, 5)),
    "packs.correct": (
        {"counted", "reason", "kind"},
        lambda s, a, d, i: s.packs.correct(a, i, 3, "Counted the shelf"),
    ),
    "packs.issue/kind": (
        {"override_reason", "kind", "stock"},
        lambda s, a, d, i: s.packs.issue(a, i, 1),
    ),
    "packs.issue/visitor": (
        {"override_reason", "kind", "stock"},
        lambda s, a, d, i: s.packs.issue(a, 1, i),
    ),
    "packs.issue_options": (set(), lambda s, a, d, i: s.packs.issue_options(a, i)),
    "packs.issues_of": (set(), lambda s, a, d, i: s.packs.issues_of(a, i)),
    "appointments.get": (set(), lambda s, a, d, i: s.appointments.get(a, i)),
    "appointments.history": (set(), lambda s, a, d, i: s.appointments.history(a, i)),
    "appointments.check_in": (set(), lambda s, a, d, i: s.appointments.check_in(a, i)),
    "appointments.cancel": (
        {"reason"},
        lambda s, a, d, i: s.appointments.cancel(a, i, "The visitor phoned"),
    ),
    "appointments.no_show": (set(), lambda s, a, d, i: s.appointments.no_show(a, i)),
    "appointments.complete": (set(), lambda s, a, d, i: s.appointments.complete(a, i)),
    "appointments.complete/bags": (
        set(),
        lambda s, a, d, i: s.appointments.complete(a, 1, welcome_bags=[i]),
    ),
    "appointments.set_married": (set(), lambda s, a, d, i: s.appointments.set_married(a, i, True)),
    "appointments.reveal_bsn": (
        {"reason"},
        lambda s, a, d, i: s.appointments.reveal_bsn(a, i, "Checking the letter"),
    ),
    "appointments.start_from_ticket": (
        set(),
        lambda s, a, d, i: s.appointments.start_from_ticket(a, i),
    ),
    "reports.timeline": (set(), lambda s, a, d, i: s.reports.timeline(a, i)),
    "privacy.collect": (set(), lambda s, a, d, i: s.privacy.collect(a, i)),
    "privacy.erasure_blocked": (set(), lambda s, a, d, i: s.privacy.erasure_blocked(a, i)),
    "privacy.export": ({"directory"}, lambda s, a, d, i: s.privacy.export(a, i, d)),
}


@pytest.fixture
def id_world(
    world: tuple[Services, Actor, Actor, int], tmp_path: Path
) -> tuple[Services, Actor, Path]:
    """The world, with a partner, a pack kind in stock and a referral (each id 1)."""
    from frontdesk.services.partners import PartnerInput

    services, lead, _clerk, known = world
    partner = services.partners.add(lead, PartnerInput(name="Test Bank", category="bank"))
    services.referrals.create(
        lead, visitor_id=known, partner_id=partner.id, reason="Bank", consent_given=False
    )
    kind = services.packs.add_kind(lead, "student", "Student pack")
    services.packs.receive(lead, kind.id, 20)
    return services, lead, tmp_path


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(sorted(ID_CALLS)), ident=IDS)
def test_ids(id_world: Any, name: str, ident: Any) -> None:
    services, lead, folder = id_world
    fields, call = ID_CALLS[name]
    before = contents(services)
    try:
        call(services, lead, folder, ident)
    except (NotFound, Conflict):
        pass
    except ValidationError as exc:
        assert exc.field in fields, f"{name}: {exc.field!r} is not a field of this call"
    else:
        assert _is_id(ident), f"{name} accepted {ident!r} as an id"
        return
    assert contents(services) == before, f"{name}: a rejected call changed the database"


@pytest.mark.slow
def test_every_call_refuses_what_cannot_be_an_id(id_world: Any) -> None:
    services, lead, folder = id_world
    for name, (fields, call) in sorted(ID_CALLS.items()):
        for ident in (True, False, 0, -1, MAX_ID + 1, 2**63, "1", 1.0):
            before = contents(services)
            with pytest.raises((NotFound, ValidationError)) as refused:
                call(services, lead, folder, ident)
            if isinstance(refused.value, ValidationError):
                assert refused.value.field in fields | {"staff", "partner", "assignee"}, name
            assert contents(services) == before, f"{name}({ident!r}) changed the database"
