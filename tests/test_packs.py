"""Welcome packs: stock arithmetic, issuing, permissions, audit and reports, on both databases."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db import Database
from frontdesk.db.models import PackIssue, StockMovement
from frontdesk.services import Actor, FrontdeskError, PermissionDenied, Services, ValidationError
from frontdesk.services.auth import PERMISSIONS, ROLES, allowed
from frontdesk.services.packs import PackKind, PackService, write_export
from frontdesk.services.visitors import VisitorInput
from tests.conftest import add_staff, letters


def visitor(services: Services, actor: Actor, given: str = "Test", family: str = "Visitor") -> int:
    return services.visitors.register(actor, VisitorInput(given_names=given, family_name=family)).id


def bag(services: Services, lead: Actor, stock: int = 0, threshold: int = 5) -> PackKind:
    kind = services.packs.add_kind(lead, "bag", "Welcome bag", threshold)
    if stock:
        kind = services.packs.receive(lead, kind.id, stock, "delivery 1")
    return kind


def counts(services: Services) -> tuple[int, int]:
    with services.db.read() as session:
        moves = session.scalar(select(func.count()).select_from(StockMovement)) or 0
        issues = session.scalar(select(func.count()).select_from(PackIssue)) or 0
    return moves, issues


def test_stock_is_the_sum_of_movements(services: Services, lead: Actor, clerk: Actor) -> None:
    kind = bag(services, lead, stock=10, threshold=3)
    assert (kind.stock, kind.low) == (10, False)
    assert services.packs.receive(lead, kind.id, "5", "second box").stock == 15
    a, b = visitor(services, clerk, "Ann"), visitor(services, clerk, "Ben")
    issued = services.packs.issue(clerk, kind.id, a)
    assert issued.stock_left == 14
    services.packs.issue(clerk, kind.id, b)
    assert services.packs.get(clerk, kind.id).stock == 13
    fixed = services.packs.correct(lead, kind.id, 4, "stock-take: a box was damaged")
    assert (fixed.stock, fixed.low) == (4, False)
    history = services.packs.history(lead, kind.id)
    assert [(m.reason, m.quantity, m.stock_after) for m in history] == [
        ("correction", -9, 4),
        ("issue", -1, 13),
        ("issue", -1, 14),
        ("received", 5, 15),
        ("received", 10, 10),
    ]
    assert history[0].staff == "Lea Lead" and history[0].note == "stock-take: a box was damaged"
    services.packs.correct(lead, kind.id, 3, "recount")
    assert [k.name for k in services.packs.low_stock()] == ["Welcome bag"]
    assert services.packs.low_stock(clerk)[0].stock == 3


def test_low_stock_follows_the_ledger_written_by_another_desk(
    services: Services, lead: Actor
) -> None:
    # low_stock() keeps the totals while the ledger has not grown; another process's
    # movements (another PackService on the same database) must still show at once.
    kind = bag(services, lead, stock=10, threshold=5)
    other = PackService(services.db, services.clock)
    assert services.packs.low_stock() == []
    other.correct(lead, kind.id, 4, "recount")
    assert [(k.name, k.stock) for k in services.packs.low_stock()] == [("Welcome bag", 4)]
    other.receive(lead, kind.id, 10, "a box")
    assert services.packs.low_stock() == []
    other.correct(lead, kind.id, 5, "recount")
    assert [k.stock for k in services.packs.low_stock()] == [5]


def test_low_stock_sees_a_movement_committed_after_a_higher_id(
    services: Services, lead: Actor
) -> None:
    # On PostgreSQL a movement can commit after one with a higher id: the highest id
    # stays the same, and the cached totals must still be summed again.
    kind = bag(services, lead, stock=10, threshold=5)
    with services.db.read() as session:
        top = int(session.scalar(select(func.max(StockMovement.id))) or 0)

    def add(movement_id: int, quantity: int) -> None:
        with services.db.write() as session:
            session.add(
                StockMovement(
                    id=movement_id,
                    pack_type_id=kind.id,
                    quantity=quantity,
                    reason="correction",
                    staff_id=lead.staff_id,
                    at=services.clock.now(),
                )
            )

    add(top + 10, -3)
    assert services.packs.low_stock() == []  # 7 left: the totals are cached
    add(top + 5, -3)  # a lower id, committed later
    assert [k.stock for k in services.packs.low_stock()] == [4]


def test_out_of_stock_records_nothing(services: Services, lead: Actor, clerk: Actor) -> None:
    kind = bag(services, lead, stock=1)
    services.packs.issue(clerk, kind.id, visitor(services, clerk, "Ann"))
    before = counts(services)
    with pytest.raises(ValidationError, match="out of stock") as err:
        services.packs.issue(clerk, kind.id, visitor(services, clerk, "Ben"))
    assert err.value.field == "kind"
    assert counts(services) == before
    assert services.packs.get(clerk, kind.id).stock == 0
    # A stock-take cannot make stock negative either.
    with pytest.raises(ValidationError, match="negative"):
        services.packs.correct(lead, kind.id, -2, "lost")
    assert services.packs.get(clerk, kind.id).stock == 0


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "at least 1"),
        ("0", "at least 1"),
        (-3, "negative"),
        ("-3", "negative"),
        ("2.5", "whole number"),
        (2.5, "whole number"),
        (2.0, "whole number"),
        ("ten", "whole number"),
        ("", "type the number"),
        (True, "whole number"),
        ("٣", "whole number"),  # Arabic-Indic digit: isdecimal, not ASCII
        (1_000_000, "more than"),
    ],
)
def test_bad_quantities_are_refused(
    services: Services, lead: Actor, quantity: object, message: str
) -> None:
    kind = bag(services, lead)
    with pytest.raises(ValidationError, match=message) as err:
        services.packs.receive(lead, kind.id, quantity)
    assert err.value.field == "quantity"
    assert counts(services) == (0, 0)


def test_unknown_kinds_and_visitors(services: Services, lead: Actor, clerk: Actor) -> None:
    who = visitor(services, clerk)
    for call in (
        lambda: services.packs.receive(lead, 999, 5),
        lambda: services.packs.correct(lead, 999, 5, "count"),
        lambda: services.packs.issue(clerk, 999, who),
        lambda: services.packs.issue(clerk, "1", who),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationError, match="pack kind") as err:
            call()
        assert err.value.field == "kind"
    kind = bag(services, lead, stock=2)
    with pytest.raises(FrontdeskError, match="no longer exists"):
        services.packs.issue(clerk, kind.id, 12345)
    assert services.packs.get(lead, kind.id).stock == 2


def test_corrections_need_a_reason(services: Services, lead: Actor) -> None:
    kind = bag(services, lead, stock=8)
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError, match="reason is required") as err:
            services.packs.correct(lead, kind.id, 5, reason)
        assert err.value.field == "reason"
    with pytest.raises(ValidationError) as err:
        services.packs.correct(lead, kind.id, "five", "count")
    assert err.value.field == "counted"
    assert services.packs.get(lead, kind.id).stock == 8
    # Zero on the shelf is a valid count.
    assert services.packs.correct(lead, kind.id, "0", "all gone").stock == 0


def test_corrections_are_audited(services: Services, lead: Actor) -> None:
    kind = bag(services, lead, stock=8)
    services.packs.correct(lead, kind.id, 6, "stock-take Friday")
    entries = services.audit.recent(lead, action="pack.correct")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == "Lea Lead"
    assert (entry.object_type, entry.object_id) == ("pack_type", str(kind.id))
    assert entry.reason == "stock 8 -> 6: stock-take Friday"
    # A refused correction leaves no audit row.
    with pytest.raises(ValidationError):
        services.packs.correct(lead, kind.id, 6, "")
    assert len(services.audit.recent(lead, action="pack.correct")) == 1


def test_one_pack_of_a_kind_per_visitor_unless_overridden(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    kind = bag(services, lead, stock=5)
    student = services.packs.add_kind(lead, "student", "Student pack", 2)
    services.packs.receive(lead, student.id, 5)
    who = visitor(services, clerk)
    services.packs.issue(clerk, kind.id, who)
    before = counts(services)
    with pytest.raises(ValidationError, match="already received a Welcome bag on 23 Nov") as err:
        services.packs.issue(clerk, kind.id, who)
    assert err.value.field == "override_reason"
    assert counts(services) == before
    # Another kind is fine; an override with a reason is fine.
    services.packs.issue(clerk, student.id, who)
    again = services.packs.issue(clerk, kind.id, who, override_reason="first bag was torn")
    assert again.override_reason == "first bag was torn"
    assert again.stock_left == 3
    given = services.packs.issues_of(clerk, who)
    assert [(g.kind_name, g.override_reason) for g in given] == [
        ("Welcome bag", "first bag was torn"),
        ("Student pack", None),
        ("Welcome bag", None),
    ]
    options = {o.kind.code: o.last_given for o in services.packs.issue_options(clerk, who)}
    assert options["bag"] is not None and options["bag"].tzinfo is not None
    fresh = visitor(services, clerk, "Nina")
    assert all(o.last_given is None for o in services.packs.issue_options(clerk, fresh))
    # A reason given when none is needed is not stored as an override.
    assert services.packs.issue(clerk, kind.id, fresh, "just because").override_reason is None


def test_adding_kinds_is_checked(services: Services, lead: Actor) -> None:
    kind = services.packs.add_kind(lead, " Family ", "Family pack", "4")
    assert (kind.code, kind.name, kind.threshold, kind.stock, kind.low) == (
        "family",
        "Family pack",
        4,
        0,
        True,
    )
    cases = [
        (("family", "Other", 1), "code", "already"),
        (("fam2", "family PACK", 1), "name", "already"),
        (("bad code!", "X", 1), "code", "lower-case"),
        (("", "X", 1), "code", "required"),
        (("x", "", 1), "name", "required"),
        (("x", "X", -1), "threshold", "negative"),
        (("x", "X", "1.5"), "threshold", "whole"),
    ]
    for (code, name, threshold), field, message in cases:
        with pytest.raises(ValidationError, match=message) as err:
            services.packs.add_kind(lead, code, name, threshold)
        assert err.value.field == field
    assert [k.code for k in services.packs.kinds(lead)] == ["family"]


def test_a_retired_kind_is_not_handed_out_and_comes_back(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    kind = bag(services, lead, stock=3)
    who = visitor(services, clerk)
    services.packs.issue(clerk, kind.id, who)
    retired = services.packs.set_active(lead, kind.id, False)
    assert (retired.active, retired.stock) == (False, 2)
    assert services.packs.kinds(clerk) == []
    assert [k.id for k in services.packs.kinds(lead, include_inactive=True)] == [kind.id]
    assert services.packs.issue_options(clerk, visitor(services, clerk, "Nina")) == []
    with pytest.raises(ValidationError):
        services.packs.issue(clerk, kind.id, visitor(services, clerk, "Olga"))
    assert services.packs.low_stock() == []  # a retired kind is never "time to reorder"
    assert len(services.packs.issues_of(clerk, who)) == 1, "its history stays"
    assert services.packs.set_active(lead, kind.id, True).active
    assert services.packs.set_active(lead, kind.id, True).active  # twice: no second audit row
    actions = [e.action for e in services.audit.recent(lead) if e.action.startswith("pack.")]
    assert actions.count("pack.retire") == 1 and actions.count("pack.bring_back") == 1


def test_permissions_per_role(services: Services, lead: Actor, clerk: Actor, intern: Actor) -> None:
    pack_actions = sorted(a for a in PERMISSIONS if a.startswith("pack."))
    assert pack_actions == [
        "pack.add_kind",
        "pack.correct",
        "pack.export",
        "pack.issue",
        "pack.receive",
        "pack.retire",
        "pack.view",
    ]
    for action in pack_actions:
        assert allowed("lead", action)
        assert not allowed("intern", action)
        assert allowed("desk", action) == (action in ("pack.view", "pack.issue"))
    assert set(ROLES) == {"lead", "desk", "intern"}

    kind = bag(services, lead, stock=3)
    who = visitor(services, clerk)
    for actor in (clerk, intern):
        with pytest.raises(PermissionDenied, match="ask the team lead"):
            services.packs.receive(actor, kind.id, 5)
        with pytest.raises(PermissionDenied):
            services.packs.correct(actor, kind.id, 5, "count")
        with pytest.raises(PermissionDenied):
            services.packs.add_kind(actor, "x", "X", 1)
        with pytest.raises(PermissionDenied):
            services.packs.set_active(actor, kind.id, False)
        with pytest.raises(PermissionDenied):
            services.packs.export_csv(actor)
    for call in (
        lambda: services.packs.issue(intern, kind.id, who),
        lambda: services.packs.kinds(intern),
        lambda: services.packs.low_stock(intern),
        lambda: services.packs.history(intern, kind.id),
        lambda: services.packs.issue_options(intern, who),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert services.packs.get(lead, kind.id).stock == 3
    services.packs.issue(clerk, kind.id, who)
    services.packs.issue(lead, kind.id, visitor(services, clerk, "Other"))
    assert services.packs.get(clerk, kind.id).stock == 1


def test_per_period_counts_and_csv(
    services: Services, lead: Actor, clerk: Actor, clock: FixedClock, tmp_path: Path
) -> None:
    kind = bag(services, lead)
    student = services.packs.add_kind(lead, "student", "Student pack", 1)
    clock.set(clock.to_local(clock.now()).replace(day=2, hour=9))  # Mon 2 Nov 2026
    services.packs.receive(lead, kind.id, 20)
    services.packs.receive(lead, student.id, 4)
    for i in range(3):
        services.packs.issue(clerk, kind.id, visitor(services, clerk, f"A{letters(i)}"))
    clock.advance(days=8)  # Tue 10 Nov: the next week
    services.packs.issue(clerk, kind.id, visitor(services, clerk, "B"))
    services.packs.issue(clerk, student.id, visitor(services, clerk, "C"))
    services.packs.correct(lead, kind.id, 14, "count")

    weeks = services.packs.per_period(lead, "week")
    assert [
        (r.start, r.kind_code, r.received, r.corrected, r.issued, r.stock_end) for r in weeks
    ] == [
        (date(2026, 11, 2), "student", 4, 0, 0, 4),
        (date(2026, 11, 2), "bag", 20, 0, 3, 17),
        (date(2026, 11, 9), "student", 0, 0, 1, 3),
        (date(2026, 11, 9), "bag", 0, -2, 1, 14),
    ]
    days = services.packs.per_period(lead, "day", kind_id=kind.id)
    assert [(r.start, r.issued) for r in days] == [(date(2026, 11, 2), 3), (date(2026, 11, 10), 1)]
    months = services.packs.per_period(lead, "month")
    assert {(r.kind_code, r.issued, r.stock_end) for r in months} == {
        ("bag", 4, 14),
        ("student", 1, 3),
    }
    # Counting from a later date starts from the stock carried over.
    later = services.packs.per_period(lead, "week", since=date(2026, 11, 9))
    assert [(r.kind_code, r.stock_end) for r in later] == [("student", 3), ("bag", 14)]
    with pytest.raises(ValidationError):
        services.packs.per_period(lead, "year")

    text = services.packs.export_csv(lead, "week")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "week",
        "start",
        "kind_code",
        "kind",
        "received",
        "corrected",
        "issued",
        "stock_end",
    ]
    assert rows[2] == ["2026-W45", "2026-11-02", "bag", "Welcome bag", "20", "0", "3", "17"]
    assert len(rows) == 5
    assert services.audit.recent(lead, action="pack.export")[0].object_id == "week"
    path = write_export(str(tmp_path / "packs.csv"), text)
    assert path.read_bytes().decode("utf-8") == text
    with pytest.raises(ValidationError, match="folder does not exist"):
        write_export(str(tmp_path / "nope" / "x.csv"), text)
    with pytest.raises(ValidationError, match="is a folder"):
        write_export(str(tmp_path), text)


def _race(url: str, clock: FixedClock, kind_id: int, people: list[tuple[Actor, int]]) -> list[str]:
    """Every desk, with its own Database, hands out a pack at the same moment."""
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def desk(actor: Actor, visitor_id: int) -> None:
        db = Database(url)
        service = PackService(db, clock)
        try:
            service.kinds(actor)  # connect first, so the start is as close as can be
            barrier.wait()
            try:
                service.issue(actor, kind_id, visitor_id)
                result = "ok"
            except ValidationError as exc:
                result = exc.message
        finally:
            db.dispose()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=desk, args=p) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_desks_racing_for_the_last_pack(
    services: Services, db_url: str, clock: FixedClock, lead: Actor
) -> None:
    desks = [add_staff(services, f"Desk {n}", "desk", desk=n) for n in range(1, 5)]
    kind = bag(services, lead)
    for round_ in range(4):
        services.packs.receive(lead, kind.id, 1)
        people = [
            (d, visitor(services, d, f"R{letters(round_)}", f"V{letters(i)}"))
            for i, d in enumerate(desks)
        ]
        outcomes = _race(db_url, clock, kind.id, people)
        assert outcomes.count("ok") == 1, outcomes
        assert len(outcomes) == 4
        assert all("out of stock" in o for o in outcomes if o != "ok")
        assert services.packs.get(lead, kind.id).stock == 0
    assert counts(services) == (8, 4)


def test_demo_packs(services: Services) -> None:
    from frontdesk.demo import fill_demo

    summary = fill_demo(services, days=30)
    assert "low stock: Student pack" in summary
    lead = Actor(1, "Anne de Vries", "lead")
    kinds = {k.name: k for k in services.packs.kinds(lead)}
    assert set(kinds) == {"Welcome bag", "Student pack", "Family pack"}
    assert (kinds["Welcome bag"].stock, kinds["Welcome bag"].threshold) == (40, 15)
    assert kinds["Student pack"].low and not kinds["Family pack"].low
    # A BSN completion in the demo hands out the Welcome bag, not the Family pack (first by name).
    bag = services.packs.welcome_bag_kind(lead)
    assert bag is not None and bag.name == "Welcome bag"
    # Stock never dipped below zero at any moment of the demo's history.
    for kind in kinds.values():
        assert min(m.stock_after for m in services.packs.history(lead, kind.id)) >= 0
    assert sum(r.issued for r in services.packs.per_period(lead, "month")) == 56


def test_cli_packs_list_and_export(
    services: Services, db_url: str, lead: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from frontdesk.cli import main

    bag(services, lead, stock=3, threshold=5)
    assert main(["--db", db_url, "packs", "list"]) == 0
    assert capsys.readouterr().out == "bag\tWelcome bag\t3\t(threshold 5)  LOW\n"
    assert main(["--db", db_url, "packs", "export", "--period", "month"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "2026-11,2026-11-01,bag,Welcome bag,3,0,0,3"
    target = tmp_path / "packs.csv"
    assert main(["--db", db_url, "packs", "export", "--output", str(target)]) == 0
    assert target.read_bytes().decode().startswith("week,start,")
    assert capsys.readouterr().err.startswith("wrote ")
    exports = len(services.audit.recent(lead, action="pack.export"))
    # A bad place to write: one clear line on stderr, exit 2, and no export made.
    assert (
        main(["--db", db_url, "packs", "export", "--output", str(tmp_path / "no" / "x.csv")]) == 2
    )
    err = capsys.readouterr().err
    assert err.strip() == "frontdesk: --output: that folder does not exist"
    assert len(services.audit.recent(lead, action="pack.export")) == exports


def test_the_welcome_bag_kind_is_configured_or_clearly_named(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    """Issue 19: the bags at a BSN completion came from the first kind in the list."""
    packs = services.packs
    assert packs.welcome_bag_kind(clerk) is None  # no kinds: the clerk picks
    family = packs.add_kind(lead, "family", "Family pack", 2)
    assert packs.welcome_bag_kind(clerk) is None  # not a welcome bag: the clerk picks
    bag = packs.add_kind(lead, "bag", "Welcome bag", 2)
    found = packs.welcome_bag_kind(clerk)
    assert found is not None and found.id == bag.id
    chosen = packs.welcome_bag_kind(clerk, "FAMILY")  # the setting wins (code or name)
    assert chosen is not None and chosen.id == family.id
    assert packs.welcome_bag_kind(clerk, "no such kind") is None
    packs.add_kind(lead, "welkom", "Welkomsttas (NL)", 2)
    assert packs.welcome_bag_kind(clerk) is None  # two candidates: the clerk picks
