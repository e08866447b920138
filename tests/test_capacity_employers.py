"""Appointment capacity per slot and the lead's employer spellings (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdesk.db.models import AuditEvent
from frontdesk.services import Actor, PermissionDenied, Services, ValidationError
from frontdesk.services.capacity import check_capacity
from frontdesk.services.employers import EmployerAlias, employer_key, parse_aliases

LIST = """
Universiteit Leiden = Leiden University
  universiteit   leiden  = Leiden University
Leiden Univ. = Leiden University
Leids Universitair Medisch Centrum -> LUMC
"""


def _audit(services: Services, action: str) -> list[str | None]:
    with services.db.read() as session:
        return list(session.scalars(select(AuditEvent.reason).where(AuditEvent.action == action)))


def test_the_lead_sets_the_capacity_audited(services: Services, lead: Actor, clerk: Actor) -> None:
    assert services.capacity.capacity() is None  # no limit until the lead sets one
    assert services.capacity.set_capacity(lead, "2") == 2
    assert services.capacity.set_capacity(lead, " 2 households") == 2  # unchanged: no audit
    with pytest.raises(PermissionDenied):
        services.capacity.set_capacity(clerk, "3")
    for bad in ("0", "21", "two", "-3", "1.5"):
        with pytest.raises(ValidationError) as refused:
            services.capacity.set_capacity(lead, bad)
        assert refused.value.field == "slot_capacity"
    assert services.capacity.capacity() == 2
    assert services.capacity.set_capacity(lead, "") is None
    assert _audit(services, "rules.capacity") == [
        "no limit -> 2 households a slot",
        "2 -> no limit households a slot",
    ]


def test_check_capacity_reads_what_people_type() -> None:
    assert check_capacity("3") == 3
    assert check_capacity("3 huishoudens") == 3
    assert check_capacity("none") is None
    assert check_capacity(None) is None


def test_employer_list_parses_and_matches_loosely() -> None:
    aliases = parse_aliases(LIST)
    assert aliases == (
        EmployerAlias("Universiteit Leiden", "Leiden University"),
        EmployerAlias("universiteit leiden", "Leiden University"),
        EmployerAlias("Leiden Univ.", "Leiden University"),
        EmployerAlias("Leids Universitair Medisch Centrum", "LUMC"),
    )
    assert employer_key("  UNIVERSITEIT   Léiden ") == employer_key("Universiteit Leiden")
    for bad in (
        "Universiteit Leiden",  # no '='
        "= Leiden University",
        "UL = Leiden University\nul = LUMC",  # one spelling, two names
        "UL = Leiden University\nLeiden University = Universiteit Leiden",  # a chain
    ):
        with pytest.raises(ValidationError) as refused:
            parse_aliases(bad)
        assert refused.value.field == "employer_aliases"
        assert "Leiden" not in refused.value.message


def test_the_lead_keeps_the_employer_list(services: Services, lead: Actor, clerk: Actor) -> None:
    assert services.employers.names().canonical("Universiteit Leiden") == "Universiteit Leiden"
    with pytest.raises(PermissionDenied):
        services.employers.save(clerk, LIST)
    names = services.employers.save(lead, LIST)
    assert services.employers.names() == names
    canonical = services.employers.names().canonical
    assert canonical("universiteit  LEIDEN") == "Leiden University"
    assert canonical("leiden university") == "Leiden University"
    assert canonical("Naturalis") == "Naturalis"
    assert canonical(None) is None
    assert "Leiden University" in names.text.splitlines()[0]
    assert _audit(services, "rules.employers") == ["0 -> 4 employer spellings"]
