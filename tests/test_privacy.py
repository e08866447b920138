"""Retention, access requests and erasure requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.db.models import AuditEvent, ContactMoment, Ticket, Visitor, VisitorNameToken
from frontdesk.services import Actor, Conflict, PermissionDenied, Services, ValidationError
from frontdesk.services.privacy import ANONYMOUS
from frontdesk.services.visitors import VisitorInput

OLD = VisitorInput(
    given_names="Olga",
    family_name="Oldvisit",
    birth_date="1980-02-03",
    nationality="UA",
    phone="+380 67 123 4567",
    email="olga@example.org",
    category="researcher",
    employer="Example University",
    municipality="Leiden",
    notes="Has a cat",
)
RECENT = VisitorInput(given_names="Rita", family_name="Recent", nationality="US")


def _visitor(services: Services, visitor_id: int) -> Visitor:
    with services.db.read() as session:
        row = session.get(Visitor, visitor_id)
        assert row is not None
        session.expunge(row)
        return row


def _old_and_recent(services: Services, clerk: Actor) -> tuple[int, int]:
    """Olga came 400 days ago (a finished visit and a phone call); Rita came today."""
    services.clock.advance(days=-400)  # type: ignore[attr-defined]
    olga, ticket = services.queue.register_walk_in(clerk, OLD)
    called = services.queue.call_next(clerk, 1)
    assert called is not None and called.id == ticket.id
    services.queue.finish(clerk, ticket.id, outcome="Told her about housing")
    services.queue.log_contact(clerk, "phone", "Asked about her permit", 5, visitor_id=olga.id)
    services.clock.advance(days=400)  # type: ignore[attr-defined]
    rita, _ = services.queue.register_walk_in(clerk, RECENT)
    return olga.id, rita.id


def test_purge_anonymises_old_visitors_and_keeps_the_figures(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    olga, rita = _old_and_recent(services, clerk)
    dry = services.privacy.purge(lead, dry_run=True)
    assert (dry.visitors, dry.blocked) == (1, 0)
    assert _visitor(services, olga).anonymised_at is None, "a dry run changed data"
    with services.db.read() as session:
        assert not session.scalar(
            select(func.count()).where(AuditEvent.action == "privacy.purge")
        ), "a dry run wrote to the audit log"

    report = services.privacy.purge(lead)
    assert report.visitors == 1 and not report.dry_run
    row = _visitor(services, olga)
    assert row.anonymised_at is not None
    assert (row.given_names, row.family_name, row.search_key) == (ANONYMOUS, "", "")
    assert row.birth_date is row.phone is row.email is row.employer is row.notes is None
    # The figures stay for the reports.
    assert (row.nationality, row.category, row.municipality) == ("UA", "researcher", "Leiden")
    with services.db.read() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.visitor_id == olga)).one()
        assert ticket.status == "done" and ticket.outcome is None
        topic = session.scalar(select(ContactMoment.topic).where(ContactMoment.visitor_id == olga))
        assert topic == "(removed)"
        stmt = select(AuditEvent).where(AuditEvent.action == "privacy.purge")
        event = session.scalars(stmt).one()
        assert event.actor_id == lead.staff_id and "1 visitors" in (event.reason or "")
        assert "Olga" not in (event.reason or "")
        tokens = select(func.count()).where(VisitorNameToken.visitor_id == olga)
        assert session.scalar(tokens) == 0, "the name stayed in the search index"
    assert _visitor(services, rita).anonymised_at is None
    assert services.visitors.search(clerk, "Olga") == []
    # A second run finds nothing more.
    assert services.privacy.purge(lead).visitors == 0


def test_purge_period_and_permission(services: Services, lead: Actor, clerk: Actor) -> None:
    olga, _rita = _old_and_recent(services, clerk)
    assert services.privacy.purge(lead, older_than_days=500, dry_run=True).visitors == 0
    assert services.privacy.purge(lead, older_than_days=30, dry_run=True).visitors == 1
    with pytest.raises(ValidationError) as err:
        services.privacy.purge(lead, older_than_days=0)
    assert err.value.field == "older_than"
    with pytest.raises(PermissionDenied):
        services.privacy.purge(clerk, dry_run=True)
    assert _visitor(services, olga).anonymised_at is None


def test_a_late_contact_keeps_the_visitor(services: Services, lead: Actor, clerk: Actor) -> None:
    olga, _rita = _old_and_recent(services, clerk)
    services.queue.log_contact(clerk, "email", "Follow-up", 3, visitor_id=olga)
    assert services.privacy.purge(lead).visitors == 0


def test_access_request_exports_everything(
    services: Services, lead: Actor, clerk: Actor, tmp_path: Path
) -> None:
    olga, _rita = _old_and_recent(services, clerk)
    files = services.privacy.export(lead, olga, tmp_path)
    data = json.loads(files.json_path.read_text(encoding="utf-8"))
    assert data["visitor"]["family_name"] == "Oldvisit"
    assert data["visitor"]["phone"] == "+380671234567"
    [visit] = data["visits"]
    assert visit["outcome"] == "Told her about housing"
    assert [e["action"] for e in visit["timeline"]] == ["Issued", "Called", "Finished"]
    assert data["contacts"][0]["topic"] == "Asked about her permit"
    markdown = files.markdown_path.read_text(encoding="utf-8")
    assert "Oldvisit" in markdown and "Timeline of A001" in markdown
    assert files.json_path.stat().st_mode & 0o077 == 0, "export readable by others"
    # The export itself is audited, and shows up in the next export.
    again = services.privacy.collect(lead, olga)
    assert [e["action"] for e in again["audit_events"]] == ["Privacy: export"]
    with pytest.raises(ValidationError) as err:
        services.privacy.export(lead, olga, tmp_path / "missing")
    assert err.value.field == "directory"
    with pytest.raises(PermissionDenied):
        services.privacy.collect(clerk, olga)


def test_erasure_with_reason_and_legal_duty(services: Services, lead: Actor, clerk: Actor) -> None:
    _olga, rita = _old_and_recent(services, clerk)
    with pytest.raises(ValidationError) as err:
        services.privacy.erase(lead, rita, "  ")
    assert err.value.field == "reason"
    # Rita waits in today's queue: erasing her now is refused with the reason.
    with pytest.raises(Conflict, match="today's queue"):
        services.privacy.erase(lead, rita, "Asked by e-mail")
    assert _visitor(services, rita).anonymised_at is None
    ticket = services.queue.call_next(clerk, 1)
    assert ticket is not None
    services.queue.finish(clerk, ticket.id)
    services.privacy.erase(lead, rita, "Asked by e-mail")
    row = _visitor(services, rita)
    assert row.anonymised_at is not None and row.given_names == ANONYMOUS
    assert row.nationality == "US"
    with services.db.read() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == "privacy.erase")
        event = session.scalars(stmt).one()
        assert (event.object_id, event.reason) == (str(rita), "Asked by e-mail")
    with pytest.raises(Conflict, match="already"):
        services.privacy.erase(lead, rita, "again")


def test_a_holder_from_another_capability_plugs_in(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    """What packs, referrals and appointments do: report activity, block, anonymise."""
    calls: list[str] = []

    class OpenReferrals:
        name = "referrals"

        def keep_ids(self, cutoff):  # type: ignore[no-untyped-def]
            return select(Visitor.id).where(Visitor.family_name == "Oldvisit")

        def last_activity(self, session, visitor_id):  # type: ignore[no-untyped-def]
            return None

        def export(self, session, visitor_id):  # type: ignore[no-untyped-def]
            return [{"partner": "Example Bank"}]

        def anonymise(self, session, visitor_id):  # type: ignore[no-untyped-def]
            calls.append("anonymise")
            return 1

        def blocks_erasure(self, session, visitor_id, today):  # type: ignore[no-untyped-def]
            return "a referral is still open"

    olga, _rita = _old_and_recent(services, clerk)
    services.privacy.add_holder(OpenReferrals())
    assert services.privacy.purge(lead, dry_run=True).visitors == 0
    assert services.privacy.collect(lead, olga)["referrals"] == [{"partner": "Example Bank"}]
    with pytest.raises(Conflict, match="referral is still open"):
        services.privacy.erase(lead, olga, "asked")
    assert calls == []
