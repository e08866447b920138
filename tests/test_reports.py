"""The team lead's figures, checked against numbers worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from frontdesk.db.models import AuditEvent, ContactMoment
from frontdesk.services import Actor, PermissionDenied, Services, ValidationError
from frontdesk.services.reports import Period, TicketFilter, check_period, percentile, preset_period
from frontdesk.services.visitors import VisitorInput
from tests.helpers import DAY, add_ticket, add_visitor, at, normal_day


def test_percentile_is_linear_interpolation() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([40, 0, 10, 5, 30, 20], 0.5) == 15
    assert percentile([0, 5, 10, 20, 30, 40], 0.9) == pytest.approx(35)


def test_empty_day(services: Services, lead: Actor) -> None:
    figures = services.reports.day(lead, DAY)
    assert (figures.issued, figures.served, figures.no_shows) == (0, 0, 0)
    assert figures.wait.count == 0 and figures.wait.mean is None and figures.wait.p90 is None
    assert figures.within_target is None
    assert figures.hours_in_day == 24 and all(h.arrivals == 0 for h in figures.hourly)
    assert figures.by_service == () and figures.by_desk == ()
    assert dict(figures.contacts) == {"Walk-in": 0, "E-mail": 0, "Phone": 0, "Video call": 0}
    report = services.reports.period(lead, Period(DAY, DAY))
    assert report.table("services").rows == ()
    assert report.table("nationalities").rows == ()


def test_day_with_only_no_shows(services: Services, clerk: Actor, lead: Actor) -> None:
    d = DAY
    add_ticket(
        services, "info", "A001", at(d, 9), at(d, 9, 10), at(d, 9, 12), status="no_show", desk=1
    )
    add_ticket(
        services, "info", "A002", at(d, 9), at(d, 9, 30), at(d, 9, 32), status="no_show", desk=1
    )
    figures = services.reports.day(lead, d)
    assert (figures.issued, figures.served, figures.no_shows) == (2, 0, 2)
    assert figures.wait.mean == pytest.approx(20) and figures.wait.median == pytest.approx(20)
    assert figures.service_time.count == 0 and figures.service_time.mean is None
    assert figures.within_target == pytest.approx(0.5)
    row = services.reports.period(lead, Period(d, d)).table("services").rows[0]
    assert row[0] == "Information & advice"
    assert row[1:7] == (2, 0, 2, 0, 0, 1.0)  # tickets, served, no-shows, ..., no-show rate 100%
    assert row[11] is None  # no service time without a finished visit


def test_normal_day_by_hand(services: Services, clerk: Actor, lead: Actor) -> None:
    normal_day(services, clerk, lead)
    f = services.reports.day(lead, DAY)
    assert (f.issued, f.served, f.no_shows, f.cancelled, f.open_now) == (7, 5, 1, 1, 0)
    # waits [0, 5, 10, 20, 30, 40]: mean 17.5, median 15, p90 = 30 + 0.5 * 10
    assert f.wait.count == 6
    assert f.wait.mean == pytest.approx(17.5)
    assert f.wait.median == pytest.approx(15)
    assert f.wait.p90 == pytest.approx(35)
    # service times of finished visits [5, 10, 20, 30, 30]: mean 19, median 20, p90 30
    assert (f.service_time.mean, f.service_time.median) == (pytest.approx(19), pytest.approx(20))
    assert f.service_time.p90 == pytest.approx(30)
    assert f.within_target == pytest.approx(0.5)  # 0, 5 and 10 of six
    by_service = {g.name: g for g in f.by_service}
    info = by_service["Information & advice"]
    assert (info.tickets, info.served, info.no_shows) == (5, 3, 1)
    assert info.wait.mean == pytest.approx(16.25) and info.wait.p90 == pytest.approx(27)
    bsn = by_service["BSN registration"]
    assert bsn.wait.median == pytest.approx(20) and bsn.wait.p90 == pytest.approx(36)
    assert [g.name for g in f.by_service] == ["BSN registration", "Information & advice"]
    desks = {g.name: g for g in f.by_desk}
    assert desks["Desk 1"].wait.mean == pytest.approx(55 / 3)
    assert desks["Desk 2"].wait.median == pytest.approx(10)
    staff = {g.name: g for g in f.by_staff}
    assert staff["Dirk Desk"].served == 2 and staff["Lea Lead"].served == 3
    hours = {h.label: h for h in f.hourly}
    assert (hours["09:00"].arrivals, hours["10:00"].arrivals, hours["11:00"].arrivals) == (4, 2, 1)
    assert hours["09:00"].average_wait == pytest.approx(8.75)
    assert hours["10:00"].average_wait == pytest.approx(35)
    assert hours["11:00"].average_wait is None
    assert sum(h.arrivals for h in f.hourly) == 7


def test_period_aggregates_match_the_day(services: Services, clerk: Actor, lead: Actor) -> None:
    normal_day(services, clerk, lead)
    report = services.reports.period(lead, preset_period("week", DAY))
    rows = {r[0]: r for r in report.table("services").rows}
    info = rows["Information & advice"]
    assert info[1:6] == (5, 3, 1, 1, 0)
    assert info[6] == pytest.approx(0.25)  # one no-show of four decided visits
    assert info[7] == pytest.approx(16.25, abs=0.01)
    assert info[8] == pytest.approx(15, abs=0.01) and info[9] == pytest.approx(27, abs=0.01)
    assert info[10] == pytest.approx(0.5)
    assert info[11] == pytest.approx(35 / 3, abs=0.01)
    total = rows["All services"]
    assert total[1] == 7 and total[7] == pytest.approx(17.5, abs=0.01)
    assert total[9] == pytest.approx(35, abs=0.01)
    assert total[11] == pytest.approx(19, abs=0.01)
    assert report.per_day == ((DAY, 7, 5),)


def test_period_service_called_but_never_served(services: Services, lead: Actor) -> None:
    """A service whose visitors were called but none served: waits, no service time.

    On PostgreSQL each service's waits and service times come as arrays; a service with
    none served has no array of service times (NULL), a service nobody was called for no
    row at all."""
    d = DAY
    add_ticket(services, "info", "A001", at(d, 9), at(d, 9, 5), at(d, 9, 6), status="no_show")
    add_ticket(services, "info", "A002", at(d, 9), at(d, 9, 25), at(d, 9, 26), status="no_show")
    add_ticket(services, "bsn_registration", "B001", at(d, 9), None, None, status="cancelled")
    add_ticket(services, "welcome_pack", "W001", at(d, 9), at(d, 9, 10), None, status="done")
    add_ticket(services, "welcome_pack", "W002", at(d, 9), at(d, 9, 20), at(d, 9, 30))
    report = services.reports.period(lead, Period(d, d))
    rows = {r[0]: r for r in report.table("services").rows}
    info = rows["Information & advice"]
    assert info[1:6] == (2, 0, 2, 0, 0)
    assert info[7] == pytest.approx(15) and info[8] == pytest.approx(15)
    assert info[9] == pytest.approx(23) and info[10] == pytest.approx(0.5)
    assert info[11] is None  # nobody served: no average service time
    bsn = rows["BSN registration"]
    assert bsn[1:6] == (1, 0, 0, 1, 0) and bsn[7:12] == (None, None, None, None, None)
    # Two served, one without a finish time: the average is over both served (as before).
    pack = rows["Welcome pack"]
    assert pack[2] == 2 and pack[11] == pytest.approx(5)
    total = rows["All services"]
    assert total[1] == 5 and total[7] == pytest.approx(15)
    assert total[11] == pytest.approx(10 / 2)


def test_live_dashboard(services: Services, clerk: Actor, lead: Actor) -> None:
    clock: Any = services.clock
    clock.set(datetime(2026, 11, 23, 9, 0))
    first = services.queue.register_walk_in(clerk, VisitorInput(given_names="One"))[1]
    clock.advance(minutes=4)
    services.queue.register_walk_in(clerk, VisitorInput(given_names="Two"))
    services.queue.register_walk_in(
        clerk, VisitorInput(given_names="Three"), service_code="bsn_registration"
    )
    clock.advance(minutes=6)
    called = services.queue.call_next(clerk, 1)
    assert called is not None and called.id == first.id
    clock.advance(minutes=2)
    board = services.reports.dashboard(lead)
    waiting = {w.name: w for w in board.waiting}
    assert waiting["Information & advice"].waiting == 1
    assert waiting["Information & advice"].longest_wait == pytest.approx(8)
    assert waiting["BSN registration"].waiting == 1
    assert waiting["Welcome pack"].waiting == 0 and waiting["Welcome pack"].longest_wait is None
    assert board.longest_wait == pytest.approx(8)
    assert [(d.desk, d.serving, d.staff_name) for d in board.desks] == [(1, "A001", "Dirk Desk")]
    services.queue.finish(clerk, first.id)
    clock.advance(minutes=40)  # desk 1 called 42 minutes ago: no longer counted as open
    board = services.reports.dashboard(lead)
    assert board.desks == ()
    assert board.today.served == 1 and board.today.wait.mean == pytest.approx(10)
    assert board.version == services.queue.version()


def test_spring_forward_day_has_23_hours(services: Services, lead: Actor) -> None:
    d = date(2026, 3, 29)
    start, end = services.clock.day_bounds(d)
    assert start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, tzinfo=UTC)
    add_ticket(services, "info", "A001", at(d, 0, 30), at(d, 0, 40), at(d, 0, 50))
    add_ticket(services, "info", "A002", at(d, 3, 30), at(d, 3, 50), at(d, 4))  # = 01:30 UTC
    add_ticket(services, "info", "A003", at(d, 23, 30), at(d, 23, 35), at(d, 23, 45))
    f = services.reports.day(lead, d)
    assert f.hours_in_day == 23 and len(f.hourly) == 23
    labels = [h.label for h in f.hourly]
    assert "02:00" not in labels and labels[:3] == ["00:00", "01:00", "03:00"]
    assert [h.arrivals for h in f.hourly if h.arrivals] == [1, 1, 1]
    assert (
        f.hourly[2].arrivals == 1 and f.hourly[22].arrivals == 1 and f.hourly[22].label == "23:00"
    )
    assert f.hourly[2].average_wait == pytest.approx(20)


def test_fall_back_day_has_25_hours(services: Services, lead: Actor) -> None:
    d = date(2026, 10, 25)
    start, end = services.clock.day_bounds(d)
    assert (end - start) == timedelta(hours=25)
    add_ticket(services, "info", "A001", at(d, 2, 30), at(d, 2, 40), at(d, 2, 50))  # CEST
    add_ticket(services, "info", "A002", at(d, 2, 30, fold=1), at(d, 2, 45, fold=1), None,
               status="no_show")  # fmt: skip
    add_ticket(services, "info", "A003", at(d, 23, 30), None, None, status="cancelled")
    # a ticket of the evening before must not count (23:30 local on the 24th)
    add_ticket(services, "info", "A009", at(d - timedelta(days=1), 23, 30), None, None,
               status="cancelled")  # fmt: skip
    with services.db.write() as session:
        session.add_all(
            ContactMoment(at=moment, channel="phone", topic="t", minutes=5)
            for moment in (at(d, 0, 10), at(d, 23, 50), at(d - timedelta(days=1), 23, 50))
        )
    f = services.reports.day(lead, d)
    assert f.hours_in_day == 25
    labels = [h.label for h in f.hourly]
    assert labels[2:4] == ["02:00 (+02)", "02:00 (+01)"] and labels[-1] == "23:00"
    assert [h.arrivals for h in f.hourly[2:4]] == [1, 1]
    assert f.hourly[2].average_wait == pytest.approx(10)
    assert f.hourly[3].average_wait == pytest.approx(15)
    assert f.hourly[24].arrivals == 1 and f.issued == 3
    assert dict(f.contacts)["Phone"] == 2


def test_nationalities_top_ten_and_change(services: Services, lead: Actor) -> None:
    week = preset_period("week", DAY)
    assert week == Period(date(2026, 11, 23), date(2026, 11, 29))
    previous = week.previous()
    assert previous == Period(date(2026, 11, 16), date(2026, 11, 22))
    codes = ["US", "IN", "DE", "CN", "PL", "IT", "ES", "FR", "GB", "JP", "BR"]
    n = 0
    for rank, code in enumerate(codes):
        visitor = add_visitor(services, code, "researcher" if rank % 2 else "student")
        for _ in range(len(codes) - rank):  # US 11 visits, IN 10, ..., BR 1
            n += 1
            add_ticket(services, "info", f"A{n:03d}", at(DAY, 9) + timedelta(minutes=n),
                       at(DAY, 10), at(DAY, 10, 5), visitor_id=visitor)  # fmt: skip
    # The week is in progress (today is its Monday): it is compared with last Monday.
    before = add_visitor(services, "US", "student")
    for i in range(4):
        add_ticket(services, "info", f"A{i + 1:03d}", at(date(2026, 11, 16), 9, i),
                   at(date(2026, 11, 16), 9, 30), at(date(2026, 11, 16), 9, 40),
                   visitor_id=before)  # fmt: skip
    add_ticket(
        services,
        "info",
        "A099",
        at(date(2026, 11, 18), 9),
        at(date(2026, 11, 18), 9, 30),
        at(date(2026, 11, 18), 9, 40),
        visitor_id=before,
    )  # fmt: skip  (not like for like)
    report = services.reports.period(lead, week)
    assert report.in_progress and report.comparison == "23 Nov vs 16 Nov"
    nat = report.table("nationalities")
    assert len(nat.rows) == 10
    assert nat.column("Code") == codes[:10]  # Brazil (1 visit) is eleventh
    us = nat.rows[0]
    assert us[1] == "United States" and us[3:8] == (11, 1, 4, 7, pytest.approx(1.75))
    assert nat.rows[1][5] == 0 and nat.rows[1][7] is None  # no previous visits: no percentage
    cats = {r[0]: r for r in report.table("categories").rows}
    assert cats["Student"][1] == 11 + 9 + 7 + 5 + 3 + 1 and cats["Student"][3] == 4
    assert cats["Researcher"][2] == 5  # five distinct researchers


def test_contacts_by_channel_against_previous(services: Services, lead: Actor) -> None:
    def contact(moment: datetime, channel: str) -> None:
        with services.db.write() as session:
            session.add(ContactMoment(at=moment, channel=channel, topic="t", minutes=10))

    for _ in range(3):
        contact(at(DAY, 10), "email")
    contact(at(DAY, 11), "video")
    contact(at(date(2026, 11, 16), 10), "email")
    contact(at(date(2026, 11, 16), 10), "phone")
    report = services.reports.period(lead, preset_period("week", DAY))
    rows = {r[0]: r for r in report.table("contacts").rows}
    assert rows["E-mail"][1:] == (3, 30, 1, 2, pytest.approx(2.0))
    assert rows["Phone"][1:5] == (0, 0, 1, -1)
    assert rows["Video call"][5] is None
    assert rows["All channels"][1] == 4 and rows["All channels"][3] == 2


def test_day_review_filters_and_timeline(services: Services, clerk: Actor, lead: Actor) -> None:
    normal_day(services, clerk, lead)
    rows = services.reports.tickets(lead, DAY, TicketFilter(service="info"))
    assert [r.label for r in rows] == ["A001", "A002", "A003", "A004", "A005"]
    assert [r.label for r in services.reports.tickets(lead, DAY, TicketFilter(desk=1))] == [
        "A001", "A003", "A004",
    ]  # fmt: skip
    assert [
        r.label for r in services.reports.tickets(lead, DAY, TicketFilter(status="no_show"))
    ] == ["A003"]
    assert [r.label for r in services.reports.tickets(lead, DAY, TicketFilter(priority=True))] == [
        "B002"
    ]
    mine = services.reports.tickets(lead, DAY, TicketFilter(staff_id=lead.staff_id))
    assert {r.label for r in mine} == {"A002", "B001", "B002"}

    clock: Any = services.clock
    clock.set(datetime(2026, 11, 24, 9, 0))  # the next morning: the queue numbers restart
    ticket = services.queue.register_walk_in(clerk, VisitorInput(given_names="Tim"))[1]
    clock.advance(minutes=3)
    services.queue.call_next(clerk, 1)
    clock.advance(minutes=1)
    services.queue.recall(clerk, ticket.id)
    services.queue.transfer(clerk, ticket.id, "welcome_pack")
    desk2 = Actor(lead.staff_id, lead.name, lead.role, 2, "test")
    services.queue.call_next(desk2, 2)
    clock.advance(minutes=5)
    services.queue.finish(desk2, ticket.id)
    line = services.reports.timeline(lead, ticket.id)
    assert [e.action for e in line] == [
        "issued", "called", "recalled", "transferred", "called", "finished",
    ]  # fmt: skip
    assert [e.staff_name for e in line] == ["Dirk Desk"] * 4 + ["Lea Lead"] * 2
    assert line[1].desk == 1 and line[4].desk == 2
    assert line[3].detail == "info -> welcome_pack"
    assert line[-1].at - line[0].at == timedelta(minutes=9)


def test_close_day_is_audited_and_shown(services: Services, clerk: Actor, lead: Actor) -> None:
    services.queue.register_walk_in(clerk, VisitorInput(given_names="Late"))
    assert services.queue.close_day(lead) == 1
    f = services.reports.day(lead)
    assert f.not_served == 1 and f.closed_at is not None


def test_exports_read_back(services: Services, clerk: Actor, lead: Actor, tmp_path: Any) -> None:
    normal_day(services, clerk, lead)
    visitor = add_visitor(services, "NO", "researcher")
    add_ticket(services, "welcome_pack", "W001", at(DAY, 12), at(DAY, 12, 1), at(DAY, 12, 3),
               visitor_id=visitor)  # fmt: skip
    text = services.reports.export_day(lead, DAY, "csv").decode()
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    tables = {b[0][0]: b[1:] for b in blocks[1:] if b}
    assert "Per service" in tables and "Contacts by channel" in tables
    summary = dict(tables[f"Day {DAY.isoformat()}"][1:])
    assert summary["Tickets issued"] == "8" and summary["Median wait (min)"] == "10.0"
    assert "Person" not in text and "Dirk Desk" not in text  # no names unless asked for
    assert "Per staff member" not in tables

    book = load_workbook(io.BytesIO(services.reports.export_day(lead, DAY, "xlsx")))
    assert book.sheetnames[:5] == ["summary", "services", "desks", "hours", "contacts"]
    assert {"appointments", "referrals", "packs"} <= set(book.sheetnames)
    sheet = book["services"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Service", "Tickets", "Served", "No-shows"]
    assert sheet["A1"].font.bold
    info = next(
        r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "Information & advice"
    )
    assert info[1] == 5 and info[4] == pytest.approx(16.25)
    assert sheet["E2"].number_format == "0.0"

    named = load_workbook(
        io.BytesIO(services.reports.export_day(lead, DAY, "xlsx", with_names=True))
    )
    assert "tickets" in named.sheetnames and "staff" in named.sheetnames
    names = [r[10] for r in named["tickets"].iter_rows(min_row=2, values_only=True)]
    assert "Test Person" in names
    arrived = named["tickets"]["E2"].value
    assert arrived == datetime(2026, 11, 23, 9, 0)  # local time in the spreadsheet

    md = services.reports.export_period(lead, Period(DAY, DAY), "md").decode()
    assert "## Visits, waits and no-shows per service" in md
    assert "| Information & advice | 5 | 3 | 1 | 1 | 0 | 25.0% |" in md
    period_csv = services.reports.export_period(lead, Period(DAY, DAY), "csv").decode()
    assert "Top 10 nationalities (served visits)" in period_csv and "Norway" in period_csv

    with services.db.read() as session:
        reasons = list(
            session.scalars(select(AuditEvent.reason).where(AuditEvent.action == "report.export"))
        )
    assert len(reasons) == 5 and "xlsx, with names" in reasons


def test_desk_and_intern_may_not_see_or_export(
    services: Services, clerk: Actor, intern: Actor
) -> None:
    for actor in (clerk, intern):
        with pytest.raises(PermissionDenied):
            services.reports.dashboard(actor)
        with pytest.raises(PermissionDenied):
            services.reports.day(actor, DAY)
        with pytest.raises(PermissionDenied):
            services.reports.timeline(actor, 1)
        with pytest.raises(PermissionDenied):
            services.reports.export_day(actor, DAY, "csv")
        with pytest.raises(PermissionDenied):
            services.reports.export_period(actor, Period(DAY, DAY), "md")
        with pytest.raises(PermissionDenied):
            services.catalogue.update(actor, "info", name="X", prefix="X", active=True, desks="")
        with pytest.raises(PermissionDenied):
            services.queue.close_day(actor)


def test_periods_and_presets() -> None:
    assert preset_period("month", date(2026, 2, 10)) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert preset_period("quarter", date(2026, 11, 23)) == Period(
        date(2026, 10, 1), date(2026, 12, 31)
    )
    assert preset_period("quarter", date(2026, 5, 1)) == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert preset_period("year", DAY).previous() == Period(date(2025, 1, 1), date(2025, 12, 31))
    assert check_period("1-11-2026", "2026-11-30").days == 30
    with pytest.raises(ValidationError) as bad:
        check_period("2026-12-01", "2026-11-30")
    assert bad.value.field == "end"
    with pytest.raises(ValidationError):
        check_period("yesterday", "2026-11-30")


def test_services_can_be_edited_by_the_lead(services: Services, lead: Actor) -> None:
    info = services.catalogue.update(
        lead, "info", name="Helpdesk", prefix="h", active=True, desks="2, 1 ,2"
    )
    assert (info.name, info.prefix, info.desks) == ("Helpdesk", "H", (1, 2))
    for prefix in ("B", "ABC", "1", ""):
        with pytest.raises(ValidationError) as bad:
            services.catalogue.update(
                lead, "info", name="Helpdesk", prefix=prefix, active=True, desks=""
            )
        assert bad.value.field == "prefix"
    with pytest.raises(ValidationError) as bad:
        services.catalogue.update(lead, "info", name="Helpdesk", prefix="H", active=True, desks="x")
    assert bad.value.field == "desks"
    assert {s.code: s.prefix for s in services.catalogue.list(lead)}["info"] == "H"
    with services.db.read() as session:
        assert (
            session.scalar(select(AuditEvent.reason).where(AuditEvent.action == "service.update"))
            == "changed name, prefix, desks"
        )
