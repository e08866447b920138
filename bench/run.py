"""The benchmark runner: every figure beside an anchor measured in the same run.

    python bench/run.py                 # the decade dataset on SQLite (generated once, kept)
    python bench/run.py --quick         # a small dataset, a smoke run (no targets enforced)
    python bench/run.py --db postgresql+psycopg://postgres@127.0.0.1/frontdesk_bench

Absolute times on shared machines vary from run to run, so each figure is printed as a
ratio to an anchor that does the same work by the shortest route (hand-written SQL, a bare
Textual app) on the same machine, minutes apart. The runner prints the whole table and
exits 1 when a target is missed (never in --quick mode).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.generate import generate, letter_tag
from frontdesk.config import Settings
from frontdesk.db.models import Ticket, Visitor
from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput

HERE = Path(__file__).parent
PYTHON = sys.executable


@dataclass
class Figure:
    name: str
    value: float
    anchor: float | None
    unit: str
    target: str
    ok: bool | None  # None: reported only

    @property
    def ratio(self) -> str:
        if not self.anchor:
            return "—"
        return f"{self.value / self.anchor:.2f}x"


def _pctl(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


# -- start-up and memory ----------------------------------------------------------------
def _probe(*args: str) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, str(HERE / "probe_startup.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"start-up probe failed: {done.stderr.strip()[-500:]}")
    return elapsed, float(done.stdout.strip().splitlines()[-1]) / 1024


def startup(url: str, repeat: int) -> list[Figure]:
    # An installed frontdesk (pip, the wheel) starts from bytecode, as Textual does in the
    # anchor; from a source tree with PYTHONDONTWRITEBYTECODE set, every start compiled our
    # ~45 modules from source (~0.1 s that no desk pays). Write the bytecode first.
    import compileall

    compileall.compile_dir(str(HERE.parent / "frontdesk"), quiet=1)
    ours = [_probe("frontdesk", url) for _ in range(repeat)]
    anchor = [_probe("anchor") for _ in range(repeat)]
    t, t0 = statistics.median(x[0] for x in ours), statistics.median(x[0] for x in anchor)
    m, m0 = statistics.median(x[1] for x in ours), statistics.median(x[1] for x in anchor)
    return [
        Figure(
            "start-up to logged-in desk with today's queue",
            t * 1000,
            t0 * 1000,
            "ms",
            "<= 1.5x",
            t <= 1.5 * t0,
        ),
        Figure("peak memory (RSS) of that start-up", m, m0, "MiB", "<= 1.5x", m <= 1.5 * m0),
    ]


# -- find a visitor ---------------------------------------------------------------------
NAME_SQL = text(
    "SELECT v.id, v.given_names, v.family_name FROM visitors v WHERE v.id IN "
    "(SELECT visitor_id FROM visitor_name_tokens WHERE token >= :a AND token < :b) "
    "ORDER BY v.id DESC LIMIT 20"
)
PHONE_SQL = text("SELECT id, given_names, family_name FROM visitors WHERE phone = :p")
EMAIL_SQL = text("SELECT id, given_names, family_name FROM visitors WHERE email_key = :e")
TICKET_SQL = text("SELECT id FROM tickets WHERE day = :d AND label = :l")


def _lookups(
    services: Services,
    actor: Actor,
    conn: Any,
    rng: random.Random,
    sample: list[Any],
    labels: list[str],
    queries: int,
) -> list[tuple[Any, Any]]:
    """Pairs of (the service call, the same lookup in hand-written indexed SQL)."""
    from frontdesk.services.visitors import name_tokens

    today = services.clock.today()
    pairs: list[tuple[Any, Any]] = []
    for i in range(queries):
        family, phone, email = rng.choice(sample)
        kind = i % 4
        if kind == 0:
            q = family[:4]
            word = (name_tokens(q) or [q])[0]
            pairs.append(
                (
                    lambda q=q: services.visitors.search(actor, q),
                    lambda w=word: conn.execute(NAME_SQL, {"a": w, "b": w + "\uffff"}).all(),
                )
            )
        elif kind == 1:
            written = f"0{phone[3:4]}-{phone[4:]}" if phone.startswith("+31") else phone
            pairs.append(
                (
                    lambda q=written: services.visitors.search(actor, q),
                    lambda p=phone: conn.execute(PHONE_SQL, {"p": p}).all(),
                )
            )
        elif kind == 2:
            pairs.append(
                (
                    lambda q=email: services.visitors.search(actor, q),
                    lambda e=email: conn.execute(EMAIL_SQL, {"e": e}).all(),
                )
            )
        else:
            label = rng.choice(labels) if labels else "A001"
            pairs.append(
                (
                    lambda q=label: services.queue.find_ticket(actor, q),
                    lambda x=label: conn.execute(TICKET_SQL, {"d": today, "l": x}).all(),
                )
            )
    return pairs


def find_visitor(services: Services, actor: Actor, queries: int) -> list[Figure]:
    rng = random.Random(7)
    with services.db.read() as session:
        sample = list(
            session.execute(
                select(Visitor.family_name, Visitor.phone, Visitor.email_key)
                .where(Visitor.phone.is_not(None))
                .limit(2000)
            ).all()
        )
        labels = list(
            session.scalars(select(Ticket.label).where(Ticket.day == services.clock.today()))
        )
    ours: list[float] = []
    anchor: list[float] = []
    with services.db.engine.connect() as conn:
        for call, sql in _lookups(services, actor, conn, rng, sample, labels, queries):
            ours += _time(call, 1)
            anchor += _time(sql, 1)
    p95, a95 = _pctl(ours, 0.95), _pctl(anchor, 0.95)
    return [
        Figure("find a visitor, p50", _pctl(ours, 0.5), _pctl(anchor, 0.5), "ms", "—", None),
        Figure(
            "find a visitor, p95", p95, a95, "ms", "<= 3x and < 15 ms", p95 <= 3 * a95 and p95 < 15
        ),
    ]


# -- register a walk-in -------------------------------------------------------------------
def register(services: Services, actor: Actor, count: int) -> list[Figure]:
    ours = _time(
        lambda: services.queue.register_walk_in(
            actor,
            VisitorInput(given_names="Bench", family_name="Walk-in", phone="06-12345678"),
            service_code="info",
        ),
        count,
    )
    now = services.clock.now()
    today = services.clock.today()
    with services.db.read() as session:  # numbers not used yet today (reruns on one database)
        base = 10_000 + (session.scalar(select(func.count()).select_from(Ticket)) or 0)
    counter = iter(range(base, base + count))

    def raw() -> None:
        with services.db.engine.begin() as conn:
            vid = conn.execute(
                text(
                    "INSERT INTO visitors (given_names, family_name, search_key, family_key, "
                    "phone, "
                    "created_at, updated_at) VALUES ('Bench', 'Raw', 'bench raw', 'raw', "
                    "'+31612345678', :n, :n) RETURNING id"
                ),
                {"n": now.replace(tzinfo=None)},
            ).scalar()
            conn.execute(
                text(
                    "INSERT INTO tickets (day, label, service_id, visitor_id, source, priority, "
                    "status, arrived_at, recalls) "
                    "VALUES (:d, :l, 1, :v, 'walk_in', false, 'cancelled', :n, 0)"
                ),
                {"d": today, "l": f"Z{next(counter)}", "v": vid, "n": now.replace(tzinfo=None)},
            )

    anchor = _time(raw, count)
    m, a = statistics.median(ours), statistics.median(anchor)
    return [Figure("register a walk-in (visitor + ticket)", m, a, "ms", "<= 3x", m <= 3 * a)]


# -- four desks calling at once -----------------------------------------------------------
def _desk_worker(url: str, desk: int, staff_id: int, seconds: float, go: Any, out: Any) -> None:
    services = Services.open(Settings(db_url=url, desk=desk))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "bench")
    out.put("ready")
    go.wait()
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        ticket = services.queue.call_next(actor, desk)
        if ticket is None:
            break
        services.queue.finish(actor, ticket.id)
        done += 1
    out.put((done, time.perf_counter() - started))
    services.close()


def _anchor_worker(url: str, desk: int, seconds: float, go: Any, out: Any) -> None:
    from frontdesk.db import Database

    db = Database(url)  # the same engine settings (WAL, busy handling) as the app
    out.put("ready")
    go.wait()
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        with db.write() as session:
            session.execute(
                text("UPDATE tickets SET desk = :d WHERE id = :i"),
                {"d": desk, "i": random.randint(1, 1000)},
            )
        done += 1
    out.put((done, time.perf_counter() - started))
    db.dispose()


def _rate(target: Callable[..., None], args: list[tuple[Any, ...]]) -> float:
    """Start the workers, let them all get ready, then start them at once; total rate."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    go = ctx.Event()
    procs = [ctx.Process(target=target, args=(*a, go, out)) for a in args]
    for p in procs:
        p.start()
    for _ in procs:
        assert out.get(timeout=120) == "ready"
    go.set()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return sum(done for done, _ in results) / max(elapsed for _, elapsed in results)


def call_next(url: str, services: Services, seconds: float) -> list[Figure]:
    lead = Actor(1, "Bench Staff 00", "lead", 1, "bench")
    for i in range(4000):
        services.queue.issue(lead, "info" if i % 2 else "bsn_collection")
    ours = _rate(_desk_worker, [(url, d + 1, d + 2, seconds) for d in range(4)])
    anchor = _rate(_anchor_worker, [(url, d + 1, seconds) for d in range(4)])
    with services.db.read() as session:
        double = session.scalar(
            text(
                "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE action = 'called' "
                "GROUP BY ticket_id HAVING count(*) > 1) x"
            )
        )
    return [
        Figure(
            "call next + finish, 4 desks (per second)",
            ours,
            anchor,
            "/s",
            ">= 0.3x",
            ours >= 0.3 * anchor,
        ),
        Figure("tickets called twice", float(double or 0), None, "", "0", not double),
    ]


# -- reports ------------------------------------------------------------------------------
def _anchor_sql(dialect: str) -> Any:
    if dialect == "sqlite":
        wait = "(julianday(first_called_at) - julianday(arrived_at)) * 1440.0"
        serve = "(julianday(finished_at) - julianday(first_called_at)) * 1440.0"
    else:
        wait = "extract(epoch from first_called_at - arrived_at) / 60.0"
        serve = "extract(epoch from finished_at - first_called_at) / 60.0"
    return text(
        "SELECT service_id, count(*), "
        "sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), "
        f"avg({wait}), avg(CASE WHEN status = 'done' THEN {serve} END) "
        "FROM tickets WHERE day >= :a AND day <= :b GROUP BY service_id ORDER BY service_id"
    )


def reports(services: Services, repeat: int) -> list[Figure]:
    from datetime import date, timedelta

    from bench import report_anchor
    from frontdesk.services.reports import Period

    lead = Actor(1, "Bench Staff 00", "lead", 1, "bench")
    today = services.clock.today()
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    month_end = today.replace(day=1) - timedelta(days=1)
    month = Period(month_end.replace(day=1), month_end)
    year = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    sql = _anchor_sql(services.db.dialect)
    # The second anchor: every figure the report shows (with the previous period), by
    # hand-written SQL on the driver's connection; its figures must equal the report's.
    by_hand, day_by_hand, close = report_anchor.runner(
        services.db.engine, services.clock, services.settings.target_wait_minutes
    )
    figures = []
    try:
        with services.db.engine.connect() as conn:
            for name, call, hand, compare, first, last in (
                (
                    "day report (yesterday)",
                    lambda: services.reports.day(lead, day),
                    lambda: day_by_hand(day),
                    report_anchor.day_figures,
                    day,
                    day,
                ),
                (
                    "month report (last month)",
                    lambda: services.reports.period(lead, month),
                    lambda: by_hand(month),
                    report_anchor.report_tables,
                    month.start,
                    month.end,
                ),
                (
                    "year report (last year)",
                    lambda: services.reports.period(lead, year),
                    lambda: by_hand(year),
                    report_anchor.report_tables,
                    year.start,
                    year.end,
                ),
            ):
                # Warm (the first call pays for imports and the page cache); check that
                # the hand-written figures are the report's.
                wrong = report_anchor.differences(compare(call()), hand())
                if wrong:
                    raise SystemExit(
                        f"{name}: the hand-written SQL's figures differ from the report's:\n"
                        + "\n".join(w[:400] for w in wrong)
                    )
                ours = statistics.median(_time(call, repeat))
                anchor = statistics.median(
                    _time(lambda a=first, b=last: conn.execute(sql, {"a": a, "b": b}).all(), repeat)
                )
                every = statistics.median(_time(hand, repeat))
                ok = ours <= 2 * anchor and (not name.startswith("year") or ours < 3000)
                target = "<= 2x and < 3 s" if name.startswith("year") else "<= 2x"
                figures.append(Figure(name, ours, anchor, "ms", target, ok))
                figures.append(
                    Figure(
                        f"{name.split(' (')[0]} against hand-written SQL for every figure",
                        ours,
                        every,
                        "ms",
                        "reported",
                        None,
                    )
                )
    finally:
        close()
    return figures


# -- key presses on the desk ---------------------------------------------------------------
def keys(url: str, services: Services, presses: int) -> list[Figure]:
    import json

    lead = Actor(1, "Bench Staff 00", "lead", 1, "bench")
    with services.db.read() as session:
        waiting = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.day == services.clock.today(), Ticket.status == "waiting")
        )
    for i in range(max(0, 500 - int(waiting or 0))):
        services.queue.issue(lead, "info" if i % 2 else "bsn_collection")
    if (waiting or 0) > 500:  # a rerun on the same database: set the queue back to 500
        with services.db.write() as session:
            session.execute(
                text(
                    "UPDATE tickets SET status = 'cancelled' WHERE id IN (SELECT id FROM "
                    "tickets WHERE day = :d AND status = 'waiting' ORDER BY id DESC LIMIT :n)"
                ),
                {"d": services.clock.today(), "n": int(waiting or 0) - 500},
            )
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    done = subprocess.run(
        [PYTHON, str(HERE / "probe_startup.py"), "keys", url, str(presses)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"key probe failed: {done.stderr.strip()[-800:]}")
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    figures = []
    for key, label in (("down", "down in the queue"), ("f4", "F4 call next, shown")):
        p95 = _pctl(timings[key], 0.95)
        figures.append(Figure(f"key press: {label}, p95", p95, None, "ms", "< 50 ms", p95 < 50))
    return figures


# -- the soak: eight desks, one queue, a simulated day --------------------------------------
def _soak_worker(url: str, desk: int, staff_id: int, actions: int, go: Any, out: Any) -> None:
    from frontdesk.services import Conflict

    services = Services.open(Settings(db_url=url, desk=desk))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "bench")
    rng = random.Random(desk)
    registered: list[int] = []
    ended: list[int] = []
    conflicts = 0
    out.put("ready")
    go.wait()
    for i in range(actions):
        if i % 3 == 0:
            _, info = services.queue.register_walk_in(
                actor,
                VisitorInput(given_names="Soak", family_name=f"Desk {letter_tag(desk)}"),
                service_code="info" if rng.random() < 0.7 else "bsn_collection",
            )
            registered.append(info.id)
            continue
        try:
            ticket = services.queue.call_next(actor, desk)
            if ticket is None:
                continue
            if rng.random() < 0.06:
                services.queue.no_show(actor, ticket.id)
            else:
                services.queue.finish(actor, ticket.id)
            ended.append(ticket.id)
        except Conflict:
            conflicts += 1
    out.put((registered, ended, conflicts))
    services.close()


def _result(out: Any, procs: list[Any]) -> Any:
    """The next worker's result; stop at once (not after a long timeout) if one died."""
    import queue

    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            return out.get(timeout=1)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise SystemExit("a desk process failed; see the traceback above") from None
    raise SystemExit("the desk processes did not finish in 15 minutes")


def soak(url: str, services: Services, actions: int) -> list[Figure]:
    staff = [s for s in range(2, 10)]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    go = ctx.Event()
    procs = [
        ctx.Process(target=_soak_worker, args=(url, d + 1, staff[d], actions, go, out))
        for d in range(8)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        assert out.get(timeout=120) == "ready"
    started = time.perf_counter()
    go.set()
    results = [_result(out, procs) for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    registered = [t for r, _, _ in results for t in r]
    ended = [t for _, e, _ in results for t in e]
    with services.db.read() as session:
        rows = dict(
            session.execute(
                select(Ticket.id, Ticket.status).where(Ticket.id.in_(set(registered) | set(ended)))
            ).all()
        )
        called_twice = session.scalar(
            text(
                "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events "
                "WHERE action = 'called' GROUP BY ticket_id HAVING count(*) > 1) x"
            )
        )
    lost = sum(1 for t in registered if t not in rows)
    lost += sum(1 for t in ended if rows.get(t) not in ("done", "no_show"))
    double = len(ended) - len(set(ended)) + int(called_twice or 0)
    total = len(registered) + 2 * len(ended)
    return [
        Figure(
            "soak: 8 desks, actions done (per second)",
            total / elapsed,
            None,
            "/s",
            "reported",
            None,
        ),
        Figure(
            f"soak: tickets lost (of {len(registered)} registered)",
            float(lost),
            None,
            "",
            "0",
            lost == 0,
        ),
        Figure(
            f"soak: tickets double-called (of {len(ended)} called)",
            float(double),
            None,
            "",
            "0",
            double == 0,
        ),
    ]


def db_size(url: str, services: Services) -> list[Figure]:
    with services.db.read() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket)) or 1
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        size = Path(parsed.database or "").stat().st_size
    else:
        with services.db.read() as session:
            size = int(session.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    return [
        Figure(
            "database size per 100,000 tickets (whole database)",
            size / tickets * 100_000 / 2**20,
            None,
            "MiB",
            "reported",
            None,
        )
    ]


def _reset_today(services: Services) -> None:
    """A rerun starts from a queue of 40 like the generated one, not from the last run's
    thousands: the start-up figure is about a desk at 8:59, not after a soak test."""
    with services.db.write() as session:
        session.execute(
            text(
                "UPDATE tickets SET status = 'cancelled' WHERE day = :d "
                "AND status IN ('waiting', 'called', 'on_hold')"
            ),
            {"d": services.clock.today()},
        )
    lead = Actor(1, "Bench Staff 00", "lead", 1, "bench")
    for i in range(40):
        services.queue.issue(
            lead, "info" if i % 3 else "bsn_collection", visitor_id=i + 1, second_ticket=True
        )


GROUPS = ("startup", "find", "register", "keys", "reports", "call_next", "soak", "size")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small data, no targets enforced")
    parser.add_argument("--db", help="run on this (empty) database instead of SQLite")
    parser.add_argument("--fresh", action="store_true", help="regenerate the dataset")
    parser.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        help="measure only this group (repeatable); the default is every group",
    )
    parser.add_argument("--data", type=Path, help="the SQLite dataset file (default bench/data/)")
    args = parser.parse_args()
    only = set(args.only or GROUPS)
    scale = 0.01 if args.quick else 1.0
    if args.db:
        url = args.db
    else:
        data = HERE / "data"
        data.mkdir(exist_ok=True)
        path = args.data or data / ("quick.sqlite3" if args.quick else "decade.sqlite3")
        if args.fresh or args.quick:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    started = time.perf_counter()
    services = Services.open(Settings(db_url=url))
    fresh = services.staff.needs_first_lead()
    services.close()
    if fresh:
        counts = generate(url, scale)
        print(f"dataset: {counts} in {time.perf_counter() - started:.0f}s", flush=True)
    services = Services.open(Settings(db_url=url))
    _reset_today(services)
    clerk = Actor(2, "Bench Staff 01", "desk", 1, "bench")
    figures: list[Figure] = []
    q = args.quick
    steps: list[tuple[str, Callable[[], list[Figure]]]] = [
        ("startup", lambda: startup(url, 1 if q else 3)),
        ("find", lambda: find_visitor(services, clerk, 100 if q else 1000)),
        ("register", lambda: register(services, clerk, 20 if q else 200)),
        # The key presses need today's queue at 500 waiting, before call_next adds thousands.
        ("keys", lambda: keys(url, services, 10 if q else 40)),
        ("reports", lambda: reports(services, 3 if q else 5)),
        ("call_next", lambda: call_next(url, services, 1.0 if q else 5.0)),
        ("soak", lambda: soak(url, services, 24 if q else 300)),
        ("size", lambda: db_size(url, services)),
    ]
    for group, step in steps:
        if group in only:
            figures += step()
    services.close()
    print(f"\n{'figure':52} {'value':>10} {'anchor':>10} {'ratio':>7}  target")
    missed = 0
    for f in figures:
        anchor = f"{f.anchor:.2f}" if f.anchor is not None else "—"
        mark = "" if f.ok is None else (" ok" if f.ok else " MISSED")
        missed += f.ok is False
        print(f"{f.name:52} {f.value:10.2f} {anchor:>10} {f.ratio:>7}  {f.target} {f.unit}{mark}")
    print(
        f"\n{len(figures)} figures, {missed} targets missed, in "
        f"{time.perf_counter() - started:.0f}s"
    )
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    raise SystemExit(main())
