"""Permissions: every action in PERMISSIONS x every role, and real service methods refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import frontdesk.services
from frontdesk.services import Actor, PermissionDenied, Services
from frontdesk.services.auth import PERMISSIONS, ROLES, require
from frontdesk.services.visitors import VisitorInput

CASES = [(action, role) for action in sorted(PERMISSIONS) for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CASES)
def test_require_walks_the_table(action: str, role: str) -> None:
    actor = Actor(staff_id=7, name="Test Person", role=role, desk=1)
    if role in PERMISSIONS[action]:
        require(actor, action)
    else:
        with pytest.raises(PermissionDenied) as err:
            require(actor, action)
        assert "ask the team lead" in err.value.message


def test_the_table_names_only_known_roles() -> None:
    for action, roles in PERMISSIONS.items():
        assert roles, action
        assert roles <= set(ROLES), action
        assert "lead" in roles, f"the team lead may do everything, also {action}"


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        require(Actor(1, "X", "lead"), "staff.fly")


def test_every_action_the_services_require_is_in_the_table() -> None:
    package = Path(frontdesk.services.__file__).parent
    used: set[str] = set()
    for path in package.rglob("*.py"):
        used |= set(re.findall(r"require\(\s*\w+,\s*\"([a-z_.]+)\"", path.read_text()))
    assert used, "no require() calls found"
    assert used <= set(PERMISSIONS), used - set(PERMISSIONS)


def test_desk_and_intern_cannot_manage_staff(
    services: Services, lead: Actor, clerk: Actor, intern: Actor
) -> None:
    for actor in (clerk, intern):
        with pytest.raises(PermissionDenied, match="may not add staff"):
            services.staff.add(actor, "New Person", "desk", "2468", "2468")
        with pytest.raises(PermissionDenied):
            services.staff.deactivate(actor, lead.staff_id)
        with pytest.raises(PermissionDenied):
            services.staff.reset_pin(actor, lead.staff_id, "2468", "2468")
        with pytest.raises(PermissionDenied):
            services.staff.change_role(actor, actor.staff_id, "lead")
        with pytest.raises(PermissionDenied):
            services.audit.recent(actor)
    # Nothing changed, and no audit rows were written for the refusals.
    staff = services.staff.list(lead)
    assert [(s.name, s.role, s.active) for s in staff] == [
        ("Dirk Desk", "desk", True),
        ("Iris Intern", "intern", True),
        ("Lea Lead", "lead", True),
    ]
    assert services.audit.recent(lead) == []
    # Everyone may see who works here.
    assert len(services.staff.list(intern)) == 3


def test_interns_do_not_see_visitors(services: Services, clerk: Actor, intern: Actor) -> None:
    record = services.visitors.register(
        clerk, VisitorInput(given_names="Emily", family_name="Carter", nationality="US")
    )
    assert [v.id for v in services.visitors.search(clerk, "carter")] == [record.id]
    with pytest.raises(PermissionDenied):
        services.visitors.search(intern, "carter")
    with pytest.raises(PermissionDenied):
        services.visitors.get(intern, record.id)
    with pytest.raises(PermissionDenied):
        services.visitors.register(intern, VisitorInput(given_names="Noah", family_name="Williams"))


def test_the_kiosk_role_may_do_its_three_things_and_nothing_else() -> None:
    kiosk_may = {action for action, roles in PERMISSIONS.items() if "kiosk" in roles}
    assert kiosk_may == {"kiosk.services", "kiosk.issue", "kiosk.check_in"}
    for action in PERMISSIONS:
        if action not in kiosk_may:
            with pytest.raises(PermissionDenied):
                require(Actor(9, "Kiosk", "kiosk"), action)
