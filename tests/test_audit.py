"""The audit log: filters for the lead, and no way to change or delete an event."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from frontdesk.services import Actor, PermissionDenied, Services, ValidationError
from frontdesk.services.audit import AuditService
from frontdesk.services.visitors import VisitorInput
from tests.conftest import TEST_PIN


def test_filters_by_action_group_actor_days_and_object(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    services.staff.login(clerk.staff_id, TEST_PIN)
    services.clock.advance(days=1)  # type: ignore[attr-defined]
    services.staff.login(lead.staff_id, TEST_PIN)
    visitor = services.visitors.register(clerk, VisitorInput(given_names="Ann"))
    services.privacy.collect(lead, visitor.id)

    recent = services.audit.recent
    assert [e.action for e in recent(lead, action="privacy")] == ["privacy.export"]
    assert [e.actor for e in recent(lead, action="login")] == ["Lea Lead", "Dirk Desk"]
    assert [e.actor for e in recent(lead, actor_name="dirk")] == ["Dirk Desk"]
    assert [e.actor for e in recent(lead, since="24-11-2026")] == ["Lea Lead", "Lea Lead"]
    assert [e.actor for e in recent(lead, until="2026-11-23")] == ["Dirk Desk"]
    assert len(recent(lead, object_type="visitor", object_id=visitor.id)) == 1
    with pytest.raises(ValidationError) as err:
        recent(lead, since="yesterday")
    assert err.value.field == "since"
    with pytest.raises(ValidationError) as err:
        recent(lead, since="2026-11-24", until="2026-11-23")
    assert err.value.field == "until"
    with pytest.raises(PermissionDenied):
        recent(clerk)


def test_the_service_layer_offers_no_way_to_change_the_audit_log() -> None:
    public = {n for n, _ in inspect.getmembers(AuditService, inspect.isfunction)}
    assert public - {"__init__"} == {"recent"}
    services_dir = Path(__file__).parents[1] / "frontdesk" / "services"
    for path in services_dir.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(update|delete)\(\s*AuditEvent", source), path.name
        assert "audit_events" not in source.replace('"audit_events"', ""), path.name


def test_the_audit_table_is_only_inserted_into(
    services: Services, lead: Actor, clerk: Actor, tmp_path: Path
) -> None:
    """Every sensitive act of the app, watched at the SQL level."""
    statements: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "audit_events" in statement:
            statements.append(statement.split()[0].upper())

    event.listen(services.db.engine, "before_cursor_execute", watch)
    try:
        with pytest.raises(ValidationError):
            services.staff.login(clerk.staff_id, "9999")
        services.staff.login(clerk.staff_id, TEST_PIN)
        services.staff.add(lead, "New Person", "desk", "5678", "5678")
        visitor, _ticket = services.queue.register_walk_in(clerk, VisitorInput(given_names="Bo"))
        services.privacy.export(lead, visitor.id, tmp_path)
        services.queue.close_day(lead)
        services.privacy.erase(lead, visitor.id, "asked")
        services.privacy.purge(lead)
        services.audit.recent(lead)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", watch)
    assert "INSERT" in statements
    assert set(statements) <= {"INSERT", "SELECT"}, statements


@pytest.mark.parametrize(
    ("field", "filters"),
    [
        ("until", {"until": "9999-12-31"}),  # the day after it has no date: an overflow
        ("since", {"since": "0001-01-01"}),  # before UTC's year 1 in Amsterdam time
        ("until", {"until": "31-12-0202"}),  # a slip for 2020
    ],
)
def test_a_day_at_the_calendar_edge_is_refused_not_an_overflow(
    services: Services, lead: Actor, field: str, filters: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as err:
        services.audit.recent(lead, **filters)
    assert err.value.field == field
    assert "year" in err.value.message
