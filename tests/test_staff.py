"""Staff accounts, login and lockout, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from frontdesk.services import Actor, Services, ValidationError
from tests.conftest import TEST_PIN


def test_first_lead_only_on_an_empty_database(services: Services) -> None:
    assert services.staff.needs_first_lead()
    actor = services.staff.create_first_lead("Anne de Vries", "123456", "123456")
    assert actor.role == "lead"
    assert not services.staff.needs_first_lead()
    with pytest.raises(ValidationError) as err:
        services.staff.create_first_lead("Someone Else", "123456", "123456")
    assert err.value.field == "name"


def test_wrong_pins_lock_the_account(services: Services, clerk: Actor) -> None:
    for _ in range(4):
        with pytest.raises(ValidationError, match="Wrong PIN"):
            services.staff.login(clerk.staff_id, "9999")
    with pytest.raises(ValidationError, match="locked for 5 minutes"):
        services.staff.login(clerk.staff_id, "9999")
    # Even the right PIN is refused while locked...
    with pytest.raises(ValidationError, match="locked"):
        services.staff.login(clerk.staff_id, TEST_PIN)
    # ...and accepted once the lock has run out.
    services.clock.advance(minutes=5, seconds=1)  # type: ignore[attr-defined]
    assert services.staff.login(clerk.staff_id, TEST_PIN).staff_id == clerk.staff_id
