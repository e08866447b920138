"""Staff accounts, login and lockout, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from frontdesk.services import Actor, NotFound, Services, ValidationError
from tests.conftest import TEST_PIN


def _audit(services: Services, lead: Actor, action: str) -> list[tuple[str, str | None]]:
    return [(e.result, e.object_id) for e in services.audit.recent(lead, action=action)]


def test_first_lead_only_on_an_empty_database(services: Services) -> None:
    assert services.staff.needs_first_lead()
    actor = services.staff.create_first_lead("Anne de Vries", "123456", "123456")
    assert actor.role == "lead"
    assert not services.staff.needs_first_lead()
    with pytest.raises(ValidationError) as err:
        services.staff.create_first_lead("Someone Else", "123456", "123456")
    assert err.value.field == "name"
    assert [s.name for s in services.staff.active_staff()] == ["Anne de Vries"]
    assert _audit(services, actor, "staff.first_lead") == [("ok", str(actor.staff_id))]
    assert _audit(services, actor, "login") == [("ok", None)]


def test_first_lead_with_mismatched_pins_saves_nothing(services: Services) -> None:
    with pytest.raises(ValidationError) as err:
        services.staff.create_first_lead("Anne de Vries", "123456", "654321")
    assert err.value.field == "pin_repeat"
    assert services.staff.needs_first_lead()


def test_add_list_and_audit(services: Services, lead: Actor) -> None:
    info = services.staff.add(lead, "  Bram   Jansen ", "desk", "2468", "2468")
    assert (info.name, info.role, info.active) == ("Bram Jansen", "desk", True)
    assert [(s.name, s.role) for s in services.staff.list(lead)] == [
        ("Bram Jansen", "desk"),
        ("Lea Lead", "lead"),
    ]
    assert services.staff.find_by_name("bram jansen") == info
    assert _audit(services, lead, "staff.add") == [("ok", str(info.id))]
    # The new account logs in with its PIN; the hash is not the PIN.
    assert services.staff.login(info.id, "2468").name == "Bram Jansen"
    with services.db.read() as session:
        from frontdesk.db.models import Staff

        stored = session.get(Staff, info.id)
        assert stored is not None
        assert "2468" not in stored.pin_hash
        assert stored.pin_hash.startswith("scrypt$")


def test_same_name_twice_is_refused(services: Services, lead: Actor) -> None:
    services.staff.add(lead, "Bram Jansen", "desk", "2468", "2468")
    with pytest.raises(ValidationError) as err:
        services.staff.add(lead, "BRAM  jansen", "intern", "2468", "2468")
    assert err.value.field == "name"
    assert len(services.staff.list(lead)) == 2


@pytest.mark.parametrize("name", ["", "   ", "\t\n", None])
def test_empty_names_are_refused(services: Services, lead: Actor, name: str | None) -> None:
    with pytest.raises(ValidationError) as err:
        services.staff.add(lead, name, "desk", "2468", "2468")  # type: ignore[arg-type]
    assert err.value.field == "name"
    assert len(services.staff.list(lead)) == 1


@pytest.mark.parametrize(
    ("pin", "words"),
    [
        ("", "type a PIN"),
        ("123", "at least 4"),
        ("1234567890123", "at most 12"),
        ("12a4", "digits only"),
        ("12 34", "digits only"),
        ("١٢٣٤", "digits only"),  # Arabic-Indic digits: not what the keypad types
    ],
)
def test_bad_pins_are_refused(services: Services, lead: Actor, pin: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words) as err:
        services.staff.add(lead, "Bram Jansen", "desk", pin, pin)
    assert err.value.field == "pin"
    assert pin not in err.value.message or pin == ""
    assert len(services.staff.list(lead)) == 1


def test_pins_of_4_and_12_digits_are_fine(services: Services, lead: Actor) -> None:
    services.staff.add(lead, "Four Digits", "desk", "1234", "1234")
    services.staff.add(lead, "Twelve Digits", "intern", "123456789012", "123456789012")
    assert len(services.staff.list(lead)) == 3


def test_pins_that_do_not_match_are_refused(services: Services, lead: Actor) -> None:
    with pytest.raises(ValidationError, match="not the same") as err:
        services.staff.add(lead, "Bram Jansen", "desk", "2468", "2469")
    assert err.value.field == "pin_repeat"
    assert len(services.staff.list(lead)) == 1


@pytest.mark.parametrize("role", ["admin", "", "LEAD", None])
def test_unknown_role_is_refused(services: Services, lead: Actor, role: str | None) -> None:
    with pytest.raises(ValidationError) as err:
        services.staff.add(lead, "Bram Jansen", role, "2468", "2468")  # type: ignore[arg-type]
    assert err.value.field == "role"
    assert len(services.staff.list(lead)) == 1


def test_deactivate(services: Services, lead: Actor, clerk: Actor) -> None:
    info = services.staff.deactivate(lead, clerk.staff_id)
    assert not info.active
    assert [s.name for s in services.staff.active_staff()] == ["Lea Lead"]
    assert [(s.name, s.active) for s in services.staff.list(lead)] == [
        ("Lea Lead", True),
        ("Dirk Desk", False),
    ]
    with pytest.raises(ValidationError, match="not active"):
        services.staff.login(clerk.staff_id, TEST_PIN)
    assert _audit(services, lead, "staff.deactivate") == [("ok", str(clerk.staff_id))]


def test_deactivate_refuses_self_last_lead_and_unknown(services: Services, lead: Actor) -> None:
    from frontdesk.services.auth import CLI_ACTOR

    with pytest.raises(ValidationError, match="your own"):
        services.staff.deactivate(lead, lead.staff_id)
    # The command line is no staff member, but it may not leave the team without a lead.
    with pytest.raises(ValidationError, match="last team lead"):
        services.staff.deactivate(CLI_ACTOR, lead.staff_id)
    other = services.staff.add(lead, "Second Lead", "lead", "2468", "2468")
    assert not services.staff.deactivate(CLI_ACTOR, other.id).active
    with pytest.raises(NotFound):
        services.staff.deactivate(lead, 9999)
    assert [s.name for s in services.staff.active_staff()] == ["Lea Lead"]


def test_reset_pin_clears_the_lock(services: Services, lead: Actor, clerk: Actor) -> None:
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.staff.login(clerk.staff_id, "9999")
    with pytest.raises(ValidationError, match="not the same"):
        services.staff.reset_pin(lead, clerk.staff_id, "5555", "5556")
    services.staff.reset_pin(lead, clerk.staff_id, "5555", "5555")
    assert services.staff.login(clerk.staff_id, "5555").staff_id == clerk.staff_id
    with pytest.raises(ValidationError, match="Wrong PIN"):
        services.staff.login(clerk.staff_id, TEST_PIN)
    assert _audit(services, lead, "staff.reset_pin") == [("ok", str(clerk.staff_id))]


def test_change_role(services: Services, lead: Actor, clerk: Actor) -> None:
    info = services.staff.change_role(lead, clerk.staff_id, "intern")
    assert info.role == "intern"
    assert services.staff.login(clerk.staff_id, TEST_PIN).role == "intern"
    with pytest.raises(ValidationError) as err:
        services.staff.change_role(lead, clerk.staff_id, "boss")
    assert err.value.field == "role"
    with pytest.raises(ValidationError, match="from yourself"):
        services.staff.change_role(lead, lead.staff_id, "desk")
    entries = services.audit.recent(lead, action="staff.change_role")
    assert [(e.object_id, e.reason) for e in entries] == [(str(clerk.staff_id), "desk -> intern")]


def test_login_right_and_wrong(services: Services, lead: Actor, clerk: Actor) -> None:
    actor = services.staff.login(clerk.staff_id, TEST_PIN, desk=3, origin="pc-3")
    assert (actor.staff_id, actor.name, actor.role, actor.desk) == (
        clerk.staff_id,
        "Dirk Desk",
        "desk",
        3,
    )
    with pytest.raises(ValidationError, match="4 more tries") as err:
        services.staff.login(clerk.staff_id, "4321")
    assert err.value.field == "pin"
    assert "4321" not in err.value.message
    with pytest.raises(ValidationError, match="type your PIN"):
        services.staff.login(clerk.staff_id, "")
    with pytest.raises(ValidationError) as err:
        services.staff.login(9999, TEST_PIN)
    assert err.value.field == "staff"
    entries = services.audit.recent(lead, action="login")
    assert [(e.actor, e.result) for e in entries] == [
        ("Dirk Desk", "wrong_pin"),
        ("Dirk Desk", "ok"),
    ]
    assert entries[1].origin == "desk 3 @ pc-3"


def test_a_right_pin_resets_the_count(services: Services, clerk: Actor) -> None:
    for _ in range(4):
        with pytest.raises(ValidationError):
            services.staff.login(clerk.staff_id, "9999")
    services.staff.login(clerk.staff_id, TEST_PIN)
    for _ in range(4):
        with pytest.raises(ValidationError, match="Wrong PIN"):
            services.staff.login(clerk.staff_id, "9999")
    assert services.staff.login(clerk.staff_id, TEST_PIN).staff_id == clerk.staff_id


def test_wrong_pins_lock_the_account(services: Services, lead: Actor, clerk: Actor) -> None:
    for _ in range(4):
        with pytest.raises(ValidationError, match="Wrong PIN"):
            services.staff.login(clerk.staff_id, "9999")
    with pytest.raises(ValidationError, match="locked for 5 minutes"):
        services.staff.login(clerk.staff_id, "9999")
    # Even the right PIN is refused while locked...
    services.clock.advance(minutes=4)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="locked for 1 more minute"):
        services.staff.login(clerk.staff_id, TEST_PIN)
    # ...other accounts are not affected...
    assert services.staff.login(lead.staff_id, TEST_PIN).staff_id == lead.staff_id
    # ...and accepted once the lock has run out.
    services.clock.advance(minutes=1, seconds=1)  # type: ignore[attr-defined]
    assert services.staff.login(clerk.staff_id, TEST_PIN).staff_id == clerk.staff_id
    # The lockout and the refused attempt during it are in the audit log.
    lockouts = services.audit.recent(lead, action="login.lockout")
    assert [(e.actor, e.result) for e in lockouts] == [("Dirk Desk", "locked")]
    logins = services.audit.recent(lead, action="login")  # the group: login.lockout too
    results = [e.result for e in logins if e.actor == "Dirk Desk" and e.action == "login"]
    assert results == ["ok", "locked", "wrong_pin", "wrong_pin", "wrong_pin", "wrong_pin"]


def test_unlock_counts_towards_the_lockout(services: Services, lead: Actor, clerk: Actor) -> None:
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.staff.unlock(clerk, "9999")
    with pytest.raises(ValidationError, match="locked"):
        services.staff.unlock(clerk, TEST_PIN)
    unlocks = [e.result for e in services.audit.recent(lead, action="unlock")]
    assert unlocks == ["locked", "wrong_pin", "wrong_pin", "wrong_pin", "wrong_pin"]


def test_lockout_follows_the_settings(db_url: str, clock: object) -> None:
    from tests.conftest import add_staff, make_services

    services = make_services(db_url, clock, lockout_attempts=2, lockout_minutes=10)  # type: ignore[arg-type]
    try:
        clerk = add_staff(services, "Dirk Desk", "desk")
        with pytest.raises(ValidationError, match="1 more try"):
            services.staff.login(clerk.staff_id, "9999")
        with pytest.raises(ValidationError, match="locked for 10 minutes"):
            services.staff.login(clerk.staff_id, "9999")
    finally:
        services.close()
