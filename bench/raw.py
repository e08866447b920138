"""The raw-driver anchors: the product's own SQL, as the dialect compiled it, replayed on the
bare driver (sqlite3, psycopg) beside the services doing the same work."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from bench.figures import CLERK, LEAD, Figure, _interleaved, _time
from frontdesk.db.models import Ticket, Visitor
from frontdesk.services import Services
from frontdesk.services.visitors import VisitorInput

# -- the raw-driver anchors: the product's own SQL on sqlite3 / psycopg ----------------------
Statement = tuple[str, Any, bool]  # (SQL text as compiled, parameters, executemany)


_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK")


def capture(services: Services, fn: Callable[[], Any]) -> tuple[Any, list[Statement]]:
    """Run ``fn`` and return its result with every statement it sent to the driver."""
    seen: list[Statement] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION):
            seen.append((statement, params, many))

    engine = services.db.engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        result = fn()
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return result, seen


class RawDriver:
    """One bare driver connection; replays captured statements in one transaction."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(parsed.database or "", isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA busy_timeout = 5000")
        else:
            import psycopg

            self.conn = psycopg.connect(
                parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            )

    def replay(
        self,
        statements: Sequence[Statement],
        *,
        write: bool,
        swap: dict[Any, Any] | None = None,
        learn: Callable[[str, Any, dict[Any, Any]], None] | None = None,
    ) -> None:
        """Run the statements in one transaction; ``swap`` replaces parameter values
        (an id the capture used by the one this replay has), ``learn`` adds to it from a
        statement's cursor (a new row's id)."""
        swap = {} if swap is None else swap
        cur = self.conn.cursor()
        if self.sqlite:
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        for sql, params, many in statements:
            if swap:
                params = _swapped(params, swap)
            if many:
                cur.executemany(sql, params)
            else:
                cur.execute(sql, params)
                if cur.description is not None:
                    rows = cur.fetchall()
                    if learn is not None:
                        learn(sql, rows, swap)
                elif learn is not None:
                    learn(sql, cur, swap)
        self.conn.commit() if not self.sqlite else cur.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _swapped(params: Any, swap: dict[Any, Any]) -> Any:
    def one(p: Any) -> Any:
        if isinstance(p, dict):
            return {k: swap.get(v, v) if _hashable(v) else v for k, v in p.items()}
        if isinstance(p, (list, tuple)):
            return type(p)(swap.get(v, v) if _hashable(v) else v for v in p)
        return p

    if isinstance(params, list):
        return [one(p) for p in params]
    return one(params)


def _hashable(v: Any) -> bool:
    return isinstance(v, (int, str)) and not isinstance(v, bool)


def find_visitor(url: str, services: Services, queries: int) -> list[Figure]:
    rng = random.Random(7)
    today = services.clock.today()
    with services.db.read() as session:
        sample = list(
            session.execute(
                select(Visitor.family_name, Visitor.phone, Visitor.email_key)
                .where(Visitor.phone.is_not(None))
                .limit(2000)
            ).all()
        )
        labels = list(session.scalars(select(Ticket.label).where(Ticket.day == today)))
    calls: list[Callable[[], Any]] = []
    for i in range(queries):
        family, phone, email = rng.choice(sample)
        kind = i % 4
        if kind == 0:
            q = family[:4]
        elif kind == 1:
            q = f"0{phone[3:4]}-{phone[4:]}" if phone.startswith("+31") else phone
        elif kind == 2:
            q = email
        else:
            label = rng.choice(labels) if labels else "A001"
            calls.append(lambda x=label: services.queue.find_ticket(CLERK, x))
            continue
        calls.append(lambda x=q: services.visitors.search(CLERK, x))
    raw = RawDriver(url)
    ours: list[float] = []
    anchor: list[float] = []
    try:
        for i, call in enumerate(calls):
            _, statements = capture(services, call)  # warm, and the SQL it sends
            if i % 2:
                anchor += _time(lambda s=statements: raw.replay(s, write=False))
                ours += _time(call)
            else:
                ours += _time(call)
                anchor += _time(lambda s=statements: raw.replay(s, write=False))
    finally:
        raw.close()
    return [
        Figure(
            "find a visitor or ticket, p50 (raw: its SQL on the driver)",
            ours,
            anchor,
            "ms",
            "reported",
            None,
        ),
        Figure(
            "find a visitor or ticket, p95 (raw: its SQL on the driver)",
            ours,
            anchor,
            "ms",
            "reported",
            None,
            "p95",
        ),
    ]


def register(url: str, services: Services, count: int) -> list[Figure]:
    def walk_in() -> Any:
        return services.queue.register_walk_in(
            CLERK,
            VisitorInput(given_names="Bench", family_name="Walk-in", phone="06-12345678"),
            service_code="info",
        )

    (visitor, ticket), statements = capture(services, walk_in)
    with services.db.read() as session:  # labels not used yet today (reruns on one database)
        base = 100_000 + (session.scalar(select(func.count()).select_from(Ticket)) or 0) % 800_000
    counter = iter(range(base, base + 10 * count))
    raw = RawDriver(url)

    def learn(sql: str, result: Any, swap: dict[Any, Any]) -> None:
        if sql.startswith("INSERT INTO visitors "):
            swap[visitor.id] = _new_id(result)
        elif sql.startswith("INSERT INTO tickets "):
            swap[ticket.id] = _new_id(result)

    def replay() -> None:
        # The same statements; the new rows' ids as the driver returns them, and a label
        # of its own (the day's labels are unique).
        raw.replay(
            statements,
            write=True,
            swap={ticket.label: f"Z{next(counter)}"},
            learn=learn,
        )

    return _against_raw(
        "register a walk-in (raw: its SQL on the driver)", walk_in, raw, replay, count
    )


def _against_raw(
    label: str, ours: Callable[[], object], raw: Any, replay: Callable[[], object], count: int
) -> list[Figure]:
    """Ours against the same SQL replayed on the bare driver (then closed), interleaved."""
    try:
        mine, anchor = _interleaved(ours, replay, count)
    finally:
        raw.close()
    return [Figure(label, mine, anchor, "ms", "reported", None)]


def _new_id(result: Any) -> int | None:
    if isinstance(result, list):
        return int(result[0][0]) if result and result[0] else None
    rowid = getattr(result, "lastrowid", None)
    return int(rowid) if rowid else None


def call_next(url: str, services: Services, count: int) -> list[Figure]:
    """One desk: call next + finish, against the same statements on the driver (the
    captured ticket's id swapped for the one the replayed pick finds)."""
    for i in range(2 * count + 10):
        services.queue.issue(LEAD, "info" if i % 2 else "bsn_collection")
    desk = 1

    def ours() -> None:
        ticket = services.queue.call_next(CLERK, desk)
        assert ticket is not None
        services.queue.finish(CLERK, ticket.id)

    called, call_sql = capture(services, lambda: services.queue.call_next(CLERK, desk))
    _, finish_sql = capture(services, lambda: services.queue.finish(CLERK, called.id))
    raw = RawDriver(url)

    def learn(sql: str, result: Any, swap: dict[Any, Any]) -> None:
        if called.id not in swap and isinstance(result, list) and "ORDER BY" in sql and result:
            swap[called.id] = result[0][0]

    def replay() -> None:
        swap: dict[Any, Any] = {}
        raw.replay(call_sql, write=True, swap=swap, learn=learn)
        raw.replay(finish_sql, write=True, swap=swap)

    return _against_raw(
        "call next + finish, one desk (raw: its SQL on the driver)", ours, raw, replay, count
    )
