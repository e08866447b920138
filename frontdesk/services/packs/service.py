"""Welcome packs: pack kinds, stock (the sum of movements), issuing at the desk, reports.

Stock is never stored: it is the sum of a kind's stock movements, and it can never go
below zero. Every change (received, corrected after a stock-take, handed out) is one
movement that says who, when and why. Handing out the last pack is safe when several
desks do it at once: the kind's row is locked (``FOR UPDATE`` on PostgreSQL; on SQLite
every write transaction already holds the write lock from its start), then the stock is
summed, then the movement is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import PackIssue, PackType, Staff, StockMovement
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import NotFound, ValidationError, check_id, check_optional_id
from frontdesk.services.exports import (
    Target,
    check_target,
    csv_text,
    deliver_audited,
)
from frontdesk.services.packs.records import (
    _CODE,
    PERIODS,
    STOCK_RECOUNT_WINDOW,
    WELCOME_BAG_WORDS,
    IssuedPack,
    IssueOption,
    Movement,
    PackGiven,
    PackKind,
    Period,
    PeriodRow,
)
from frontdesk.services.packs.rules import (
    parse_quantity,
    period_label,
    period_start,
)
from frontdesk.services.records import record_of
from frontdesk.services.rows import live_visitor, row_or_refuse
from frontdesk.services.text import clean_text, fold


def _stock(session: Session, kind_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
            StockMovement.pack_type_id == kind_id
        )
    )
    return int(total or 0)


def _kind(row: PackType, stock: int) -> PackKind:
    return record_of(PackKind, row, threshold=row.low_threshold, stock=stock)


def add_kind_row(session: Session, code: str, name: str, threshold: int, now: datetime) -> PackType:
    """A new active pack kind, flushed so that it has its id (the caller checks the code and
    the name)."""
    row = PackType(
        code=code,
        name=name,
        name_key=fold(name),
        low_threshold=threshold,
        active=True,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def hand_out(
    session: Session,
    kind_id: int,
    visitor_id: int,
    staff_id: int | None,
    at: datetime,
    override_reason: str | None = None,
) -> PackIssue:
    """One pack handed out: a movement of -1 in the stock and the issue that points at it."""
    movement = StockMovement(
        pack_type_id=kind_id, quantity=-1, reason="issue", note=None, staff_id=staff_id, at=at
    )
    session.add(movement)
    session.flush()
    issued = PackIssue(
        pack_type_id=kind_id,
        visitor_id=visitor_id,
        staff_id=staff_id,
        at=at,
        override_reason=override_reason,
        movement_id=movement.id,
    )
    session.add(issued)
    session.flush()
    return issued


def _staff_id(actor: Actor) -> int | None:
    return actor.staff_id or None  # the command line acts without a staff account


NO_KIND = "this pack kind does not exist; choose one from the list"


class PackService:
    def __init__(self, db: Database, clock: Clock, *, csv_delimiter: str = ",") -> None:
        self.db = db
        self.clock = clock
        self.trail = audit.Trail(clock, "pack_type")
        self.csv_delimiter = csv_delimiter  # [exports] delimiter
        # (mark, (highest id, rows above the mark), stock per kind)
        self._stock_cache: tuple[int, tuple[int, int], dict[int, int]] | None = None

    # -- reading ---------------------------------------------------------------------
    def _kinds(self, session: Session, *, include_inactive: bool = False) -> list[PackKind]:
        # Grouped on "pack_type_id + 0" so SQLite reads the table once instead of walking
        # the (pack_type_id, at) index and fetching each row from the table, which is
        # several times slower; the desk reads this with the queue, also at start.
        kind = (StockMovement.pack_type_id + 0).label("kind")
        stock: dict[int, int] = {
            int(type_id): int(total or 0)
            for type_id, total in session.execute(
                select(kind, func.sum(StockMovement.quantity)).group_by(kind)
            )
        }
        stmt = select(PackType).order_by(PackType.name_key)
        if not include_inactive:
            stmt = stmt.where(PackType.active)
        return [_kind(r, int(stock.get(r.id) or 0)) for r in session.scalars(stmt)]

    def kinds(self, actor: Actor, *, include_inactive: bool = False) -> list[PackKind]:
        """Every pack kind with its stock, by name."""
        require(actor, "pack.view")
        with self.db.read() as session:
            return self._kinds(session, include_inactive=include_inactive)

    def low_stock(self, actor: Actor | None = None) -> list[PackKind]:
        """Active kinds at or under their threshold, emptiest first.

        Stock counts hold no personal data, so the desk and lead screens (and the palette)
        may ask without an actor; with one, the permission is checked as usual.
        """
        if actor is not None:
            require(actor, "pack.view")
        with self.db.read() as session:
            stock = self._stock_totals(session)
            rows = session.scalars(select(PackType).where(PackType.active))
            kinds = [k for k in (_kind(r, stock.get(r.id, 0)) for r in rows) if k.low]
        return sorted(kinds, key=lambda k: (k.stock, k.name))

    def _stock_totals(self, session: Session) -> dict[int, int]:
        """Stock per kind, summed again only when the ledger grew.

        The desk asks after every queue change, and summing the whole ledger (tens of
        thousands of rows after some years) each time is too slow for that.
        Movements are only ever added, so the highest id and the number of rows
        above a mark say whether the totals are still right. The count catches a
        lower id committed after a higher one on PostgreSQL; it only covers the last
        ``STOCK_RECOUNT_WINDOW`` ids before the sum (counting the whole ledger was a
        noticeable part of every desk refresh), as a movement's transaction is
        short: its id is never that far behind the highest one when it commits.
        """
        # Two statements: together, SQLite would scan the table for the max as well.
        last = int(session.scalar(select(func.max(StockMovement.id))) or 0)
        cached = self._stock_cache
        if cached is not None and cached[1][0] == last:
            mark = cached[0]
            recent = session.scalar(
                select(func.count()).select_from(StockMovement).where(StockMovement.id > mark)
            )
            if cached[1] == (last, int(recent or 0)):
                return cached[2]
        # Counted before the sum: a movement committed in between is summed but not in
        # the key, so the next call sums again (the other way round it would be missed).
        mark = max(0, last - STOCK_RECOUNT_WINDOW)
        recent = session.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.id > mark)
        )
        totals = {
            type_id: int(total or 0)
            for type_id, total in session.execute(
                select(StockMovement.pack_type_id, func.sum(StockMovement.quantity)).group_by(
                    StockMovement.pack_type_id
                )
            )
        }
        self._stock_cache = (mark, (last, int(recent or 0)), totals)
        return totals

    def get(self, actor: Actor, kind_id: int) -> PackKind:
        require(actor, "pack.view")
        kind_id = check_id(kind_id, "this pack kind does not exist")
        with self.db.read() as session:
            row = row_or_refuse(session, PackType, kind_id, "this pack kind does not exist")
            return _kind(row, _stock(session, row.id))

    def welcome_bag_kind(self, actor: Actor, configured: str | None = None) -> PackKind | None:
        """The kind handed out at a BSN completion (never just the first in the list).

        ``configured`` (the ``welcome_bag_kind`` setting: a kind's code or name) wins;
        without it, the one active kind clearly named a welcome bag ("Welcome bag",
        code ``welcome_bag``, "Welkomsttas"). None when neither is found: the clerk picks.
        """
        require(actor, "pack.issue")
        with self.db.read() as session:
            kinds = self._kinds(session)
        if configured and configured.strip():
            want = fold(configured)
            return next((k for k in kinds if want in (fold(k.code), fold(k.name))), None)
        named = [
            k
            for k in kinds
            if any(
                word in fold(text).replace("_", " ")
                for text in (k.code, k.name)
                for word in WELCOME_BAG_WORDS
            )
        ]
        return named[0] if len(named) == 1 else None

    def issue_options(self, actor: Actor, visitor_id: int) -> list[IssueOption]:
        """The active kinds with stock, and which of them this visitor already received."""
        require(actor, "pack.issue")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        with self.db.read() as session:
            last: dict[int, datetime | None] = {
                type_id: at
                for type_id, at in session.execute(
                    select(PackIssue.pack_type_id, func.max(PackIssue.at))
                    .where(PackIssue.visitor_id == visitor_id)
                    .group_by(PackIssue.pack_type_id)
                )
            }
            return [
                IssueOption(kind=k, last_given=self._aware(last.get(k.id)))
                for k in self._kinds(session)
            ]

    @staticmethod
    def _aware(value: datetime | None) -> datetime | None:
        # An aggregate may come back naive from SQLite; it is UTC, as stored.
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def history(self, actor: Actor, kind_id: int, limit: int = 500) -> list[Movement]:
        """The kind's stock movements, newest first, each with the stock after it."""
        require(actor, "pack.view")
        kind_id = check_id(kind_id, "this pack kind does not exist")
        with self.db.read() as session:
            if session.get(PackType, kind_id) is None:
                raise NotFound("this pack kind does not exist")
            stock = _stock(session, kind_id)
            rows = session.execute(
                select(StockMovement, Staff.name)
                .outerjoin(Staff, Staff.id == StockMovement.staff_id)
                .where(StockMovement.pack_type_id == kind_id)
                .order_by(StockMovement.at.desc(), StockMovement.id.desc())
                .limit(limit)
            )
            result = []
            for movement, staff in rows:
                result.append(record_of(Movement, movement, staff=staff, stock_after=stock))
                stock -= movement.quantity
            return result

    def per_period(
        self,
        actor: Actor,
        period: str = "week",
        *,
        kind_id: int | None = None,
        since: date | None = None,
    ) -> list[PeriodRow]:
        """Received, corrected and handed-out counts per kind per day, week or month.

        Only periods with a movement are listed, oldest first. ``since`` (a local date)
        defaults to the start of the period a year ago.
        """
        require(actor, "pack.view")
        kind_id = check_optional_id(kind_id, "this pack kind does not exist")
        if period not in PERIODS:
            raise ValidationError("period", "choose day, week or month")
        per: Period = period
        today = self.clock.today()
        first = period_start(since or today - timedelta(days=365), per)
        start_at, _ = self.clock.day_bounds(first)
        with self.db.read() as session:
            kinds = {r.id: (r.code, r.name, r.name_key) for r in session.scalars(select(PackType))}
            if kind_id is not None and kind_id not in kinds:
                raise NotFound("this pack kind does not exist")
            opening_stmt = (
                select(StockMovement.pack_type_id, func.sum(StockMovement.quantity))
                .where(StockMovement.at < start_at)
                .group_by(StockMovement.pack_type_id)
            )
            moves_stmt = (
                select(
                    StockMovement.pack_type_id,
                    StockMovement.reason,
                    StockMovement.quantity,
                    StockMovement.at,
                )
                .where(StockMovement.at >= start_at)
                .order_by(StockMovement.at, StockMovement.id)
            )
            if kind_id is not None:
                opening_stmt = opening_stmt.where(StockMovement.pack_type_id == kind_id)
                moves_stmt = moves_stmt.where(StockMovement.pack_type_id == kind_id)
            running = {k: int(v or 0) for k, v in session.execute(opening_stmt)}
            buckets: dict[tuple[date, int], list[int]] = {}
            for type_id, reason, quantity, at in session.execute(moves_stmt):
                key = (period_start(self.clock.to_local(at).date(), per), type_id)
                counts = buckets.setdefault(key, [0, 0, 0, 0])
                if reason == "received":
                    counts[0] += quantity
                elif reason == "correction":
                    counts[1] += quantity
                else:
                    counts[2] += -quantity
                running[type_id] = running.get(type_id, 0) + quantity
                counts[3] = running[type_id]
        return [
            PeriodRow(
                start=start,
                kind_code=kinds[type_id][0],
                kind_name=kinds[type_id][1],
                received=c[0],
                corrected=c[1],
                issued=c[2],
                stock_end=c[3],
            )
            for (start, type_id), c in sorted(
                buckets.items(), key=lambda item: (item[0][0], kinds[item[0][1]][2])
            )
        ]

    def export_csv(
        self,
        actor: Actor,
        period: str = "week",
        since: date | None = None,
        *,
        to: Target | None = None,
    ) -> str:
        """The per-period report as CSV text (no personal data), sent ``to`` a file
        (private, atomic) or a callable; audited once delivered (see services.exports)."""
        require(actor, "pack.export")
        if isinstance(to, Path):
            check_target(to)
        rows = self.per_period(actor, period, since=since)
        per = cast(Period, period)
        table: list[list[Any]] = [
            [period, "start", "kind_code", "kind", "received", "corrected", "issued", "stock_end"]
        ]
        table += [
            [
                period_label(r.start, per),
                r.start.isoformat(),
                r.kind_code,
                r.kind_name,
                r.received,
                r.corrected,
                r.issued,
                r.stock_end,
            ]
            for r in rows
        ]
        text = csv_text(table, self.csv_delimiter)
        deliver_audited(
            self.db,
            self.clock,
            actor,
            text.encode("utf-8"),
            to,
            action="pack.export",
            object_type="pack_report",
            object_id=period,
            reason=f"{len(rows)} rows",
        )
        return text

    # -- the lead's stock work ---------------------------------------------------------
    def add_kind(self, actor: Actor, code: str, name: str, threshold: object = 0) -> PackKind:
        require(actor, "pack.add_kind")
        code_text = clean_text(code, "code", label="The code", max_length=20, required=True) or ""
        code_text = code_text.lower()
        if not _CODE.match(code_text):
            raise ValidationError(
                "code", "use lower-case letters, digits, - or _ (e.g. student), at most 20"
            )
        name_text = clean_text(name, "name", label="The name", max_length=100, required=True)
        assert name_text is not None
        low = parse_quantity(threshold, "threshold", allow_zero=True)
        with self.db.write() as session:
            if session.scalar(select(PackType.id).where(PackType.code == code_text)):
                raise ValidationError("code", "another pack kind already has this code")
            if session.scalar(select(PackType.id).where(PackType.name_key == fold(name_text))):
                raise ValidationError("name", "another pack kind already has this name")
            row = add_kind_row(session, code_text, name_text, low, self.clock.now())
            self.trail.add(session, actor, "pack.add_kind", row.id)
            return _kind(row, 0)

    def set_active(self, actor: Actor, kind_id: int, active: bool) -> PackKind:
        """Retire a kind (no longer handed out, its history kept) or bring it back."""
        require(actor, "pack.retire")
        kind_id = check_id(kind_id, NO_KIND, field="kind")
        with self.db.write() as session:
            row = self._lock_kind(session, kind_id)
            if row.active != active:
                row.active = active
                self.trail.add(
                    session, actor, "pack.bring_back" if active else "pack.retire", row.id
                )
            return _kind(row, _stock(session, row.id))

    def _lock_kind(self, session: Session, kind_id: object) -> PackType:
        """The kind's row, locked until the transaction ends (the stock's mutex)."""
        kind_id = check_id(kind_id, NO_KIND, field="kind")
        row = session.scalars(
            select(PackType).where(PackType.id == kind_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise ValidationError("kind", NO_KIND)
        return row

    def receive(
        self, actor: Actor, kind_id: int, quantity: object, supplier_note: str | None = None
    ) -> PackKind:
        """Packs arrived: add them to the stock, with the supplier's note."""
        require(actor, "pack.receive")
        kind_id = check_id(kind_id, NO_KIND, field="kind")
        number = parse_quantity(quantity, "quantity")
        note = clean_text(
            supplier_note, "note", label="The supplier note", max_length=500, multiline=True
        )
        with self.db.write() as session:
            row = self._lock_kind(session, kind_id)
            session.add(
                StockMovement(
                    pack_type_id=row.id,
                    quantity=number,
                    reason="received",
                    note=note,
                    staff_id=_staff_id(actor),
                    at=self.clock.now(),
                )
            )
            session.flush()
            return _kind(row, _stock(session, row.id))

    def correct(self, actor: Actor, kind_id: int, counted: object, reason: str | None) -> PackKind:
        """A stock-take: set the stock to the number counted on the shelf, saying why."""
        require(actor, "pack.correct")
        kind_id = check_id(kind_id, NO_KIND, field="kind")
        number = parse_quantity(counted, "counted", allow_zero=True)
        why = clean_text(reason, "reason", label="The reason", max_length=500, required=True)
        with self.db.write() as session:
            row = self._lock_kind(session, kind_id)
            before = _stock(session, row.id)
            session.add(
                StockMovement(
                    pack_type_id=row.id,
                    quantity=number - before,
                    reason="correction",
                    note=why,
                    staff_id=_staff_id(actor),
                    at=self.clock.now(),
                )
            )
            self.trail.add(
                session, actor, "pack.correct", row.id, f"stock {before} -> {number}: {why}"
            )
            session.flush()
            return _kind(row, number)

    # -- the desk ---------------------------------------------------------------------
    def issue(
        self,
        actor: Actor,
        kind_id: int,
        visitor_id: int,
        override_reason: str | None = None,
    ) -> IssuedPack:
        """Hand a pack to a visitor: one of a kind per visitor unless a reason is given.

        Out of stock is refused with nothing recorded. Safe when several desks hand out
        the last pack at once: exactly one gets it.
        """
        require(actor, "pack.issue")
        kind_id = check_id(kind_id, NO_KIND, field="kind")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        why = clean_text(override_reason, "override_reason", label="The reason", max_length=500)
        with self.db.write() as session:
            row = self._lock_kind(session, kind_id)
            if not row.active:
                raise ValidationError("kind", f"{row.name} is no longer handed out")
            live_visitor(session, visitor_id)
            before = session.scalar(
                select(func.max(PackIssue.at)).where(
                    PackIssue.visitor_id == visitor_id, PackIssue.pack_type_id == row.id
                )
            )
            if before is not None and not why:
                when = self.clock.to_local(self._aware(before) or self.clock.now())
                raise ValidationError(
                    "override_reason",
                    f"this visitor already received a {row.name} on {when:%d %b %Y}; "
                    "type a reason to hand out another",
                )
            stock = _stock(session, row.id)
            if stock <= 0:
                raise ValidationError(
                    "kind", f"{row.name} is out of stock: nothing was handed out or recorded"
                )
            now = self.clock.now()
            issued = hand_out(
                session,
                row.id,
                visitor_id,
                _staff_id(actor),
                now,
                why if before is not None else None,
            )
            left = stock - 1
            return record_of(
                IssuedPack,
                issued,
                kind_id=row.id,
                kind_name=row.name,
                stock_left=left,
                low=left <= row.low_threshold,
            )

    def issues_of(self, actor: Actor, visitor_id: int) -> list[PackGiven]:
        """Every pack a visitor received, newest first."""
        require(actor, "pack.view")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        with self.db.read() as session:
            rows = session.execute(
                select(PackIssue, PackType.name, Staff.name)
                .join(PackType, PackType.id == PackIssue.pack_type_id)
                .outerjoin(Staff, Staff.id == PackIssue.staff_id)
                .where(PackIssue.visitor_id == visitor_id)
                .order_by(PackIssue.at.desc(), PackIssue.id.desc())
            )
            return [
                PackGiven(
                    id=i.id,
                    kind_id=i.pack_type_id,
                    kind_name=kind_name,
                    at=i.at,
                    staff=staff,
                    override_reason=i.override_reason,
                )
                for i, kind_name, staff in rows
            ]
