"""The figures that need other processes: eight busy desks while this one watches for
their calls, a registration while an appointment import runs, and the soak (forty desks
and four boards for minutes)."""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text

from bench.figures import LEAD, Figure, _dialect, _pctl, _run_probe, failed, reset_queue
from bench.generate import letter_tag
from frontdesk.config import Settings
from frontdesk.db.models import Ticket
from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput


# -- another desk's call seen here, 8 desks busy ---------------------------------------------
def _busy_desk(url: str, desk: int, staff_id: int, go: Any, stop: Any, out: Any) -> None:
    """A busy desk: register, call, finish, one every 0.5 s, until told to stop."""
    from frontdesk.services import Conflict

    services = Services.open(Settings(db_url=url, desk=desk))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "bench")
    out.put("ready")
    go.wait()
    current = None
    step = 0
    while not stop.is_set():
        try:
            if step % 3 == 0:
                services.queue.register_walk_in(
                    actor,
                    VisitorInput(given_names="Busy", family_name=f"Desk {letter_tag(desk)}"),
                    service_code="info",
                )
            elif current is None:
                current = services.queue.call_next(actor, desk)
            else:
                services.queue.finish(actor, current.id)
                current = None
        except Conflict:
            current = None
        step += 1
        time.sleep(0.5)
    services.close()
    out.put("done")


def sync(url: str, services: Services, calls: int) -> list[Figure]:
    reset_queue(services, 40 + 2 * calls)  # the desk's calls, then the board's
    ctx = mp.get_context("spawn")
    out, go, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    staff = [1, 4, 5, 6, 7, 8, 9, 10]  # desk 1 is the app (staff 2), desk 10 calls (staff 3)
    procs = [
        ctx.Process(target=_busy_desk, args=(url, d + 2, staff[d], go, stop, out)) for d in range(8)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        assert out.get(timeout=120) == "ready"
    go.set()
    figures = []
    try:
        for probe, n, name, limit in (
            ("sync", calls, "another desk's call visible at this desk (8 desks busy), p95", 300),
            ("board", calls // 2, "a call visible on the terminal board (8 desks busy), p95", 500),
        ):
            try:
                seen = _run_probe(probe, url, str(n))[probe]
            except Exception as error:  # printed as a failed figure; the board still runs
                figures.append(failed(name, error))
                continue
            figures.append(
                Figure(name, seen, None, "ms", f"<= {limit} ms", _pctl(seen, 0.95) <= limit, "p95")
            )
        figures += web_board_figure(url, calls // 2)
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=60)
    return figures


def web_board_figure(url: str, calls: int) -> list[Figure]:
    """A call on the board in a browser (bench/browser.py), or a line saying why not."""
    from bench.browser import web_board

    name = "a call visible on the board in a browser (8 desks busy), p95"
    try:
        seen = web_board(url, calls)
    except Exception as error:
        return [failed(name, error)]
    if seen is None:
        print(f"{name}: skipped, no chromium here (apt-get install chromium)", flush=True)
        return []
    return [Figure(name, seen, None, "ms", "<= 500", _pctl(seen, 0.95) <= 500, "p95")]


# -- the appointment import, and a registration while it runs ---------------------------------
def import_csv(rows: int, rng: random.Random, today: date, tag: str) -> bytes:
    """A booking system's export: ``rows`` persons in households of 1-4 (about 1.75 a
    household), in the BSN hours of the coming year; fictitious names."""
    from bench.generate import visitor_name

    lines = [
        "reference,date,time,type,role,given_names,family_name,date_of_birth,"
        "nationality,phone,email,employer"
    ]
    # The BSN hours: Monday 09:00-12:15 and Wednesday 09:00-16:30, a year ahead.
    slots = [
        (day, f"{h:02d}:{m:02d}")
        for day in (today + timedelta(days=d) for d in range(1, 365))
        if day.weekday() in (0, 2)
        for h in range(9, 12 if day.weekday() == 0 else 16)
        for m in (0, 15, 30, 45)
    ]
    n = household = 0
    while n < rows:
        household += 1
        size = min(rows - n, rng.choices([1, 2, 3, 4], [55, 25, 12, 8])[0])
        day, at = slots[household % len(slots)]
        kind = rng.choice(["first_registration", "bsn_collection"])
        employer = rng.choice(["LUMC", "Leiden University", "ESA ESTEC", "Naturalis", ""])
        family = visitor_name(rng)[1]
        for i in range(size):
            given = visitor_name(rng)[0]
            role = "main" if i == 0 else ("partner" if i == 1 else "child")
            born = date(
                rng.randint(1960, 2000) if i < 2 else rng.randint(2010, 2022),
                rng.randint(1, 12),
                rng.randint(1, 28),
            )
            nat = rng.choice(["IN", "PL", "DE", "IT", "CN", "US", "TR", "BR", "ES", "GR"])
            phone = f"+3161{rng.randint(1000000, 9999999)}" if i == 0 else ""
            email = f"bench.{tag}.{household}@example.org" if i == 0 else ""
            cells = [
                f"BK-{tag}-{household}",
                day.isoformat(),
                at,
                kind,
                role,
                given,
                family,
                born.isoformat(),
                nat,
                phone,
                email,
                employer if i == 0 else "",
            ]
            lines.append(",".join(c.replace(",", " ") for c in cells))
            n += 1
    return ("\n".join(lines) + "\n").encode()


def _registrar(url: str, go: Any, stop: Any, out: Any) -> None:
    """A desk registering walk-ins (one every 0.25 s) while the import runs."""
    services = Services.open(Settings(db_url=url, desk=2))
    actor = Actor(4, "Desk 2", "desk", 2, "bench")
    out.put("ready")
    go.wait()
    waits: list[float] = []
    refused: list[str] = []
    while not stop.is_set():
        started = time.perf_counter()
        try:
            services.queue.register_walk_in(
                actor,
                VisitorInput(given_names="During", family_name="Import"),
                service_code="info",
            )
            waits.append((time.perf_counter() - started) * 1000)
        except Exception as error:  # a refusal is what is measured
            # SQLite's "database is locked" (the import holding the writer past the busy
            # timeout) reaches the caller as it is; the App would retry it with a banner.
            refused.append(f"{type(error).__name__}: {str(error)[:60]}")
            waits.append((time.perf_counter() - started) * 1000)
        time.sleep(0.25)
    services.close()
    out.put((waits, refused))


def appointment_import(url: str, services: Services, rows: int) -> list[Figure]:
    from frontdesk.services.appointments.importer import import_appointments

    data = import_csv(rows, random.Random(20), services.clock.today(), f"{int(time.time())}")
    ctx = mp.get_context("spawn")
    out, go, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_registrar, args=(url, go, stop, out))
    proc.start()
    assert out.get(timeout=120) == "ready"
    go.set()
    time.sleep(0.5)  # a few registrations before
    started = time.perf_counter()
    report = import_appointments(services.appointments, LEAD, data)
    took = (time.perf_counter() - started) * 1000
    time.sleep(0.5)
    stop.set()
    waits, refused = out.get(timeout=120)
    proc.join()
    limit = 5000 if _dialect(url) == "sqlite" else 8000
    return [
        Figure(
            f"import {rows:,} appointment rows ({report.imported:,} households, "
            f"{report.rejected} rows rejected)",
            [took],
            None,
            "ms",
            f"<= {limit // 1000} s",
            took <= limit,
        ),
        Figure(
            "a registration while that import runs, worst (one every 0.25 s)",
            waits or [0.0],
            None,
            "ms",
            "<= 500 ms",
            bool(waits) and max(waits) <= 500,
            "max",
        ),
        Figure(
            "  registrations refused during the import" + (f" ({refused[0]})" if refused else ""),
            [float(len(refused))],
            None,
            "",
            "0",
            not refused,
        ),
    ]


# -- the soak: forty desks and four boards on one queue, for minutes --------------------------
SOAK_BOARDS = 4
# A desk's pace: a pause of 1-3 s before each action (register, call, finish), so a desk
# serves a visitor every ~6 s and 40 desks ~7 a second (24,000 an hour): far busier than
# any real day (a desk serves a visitor every few minutes), as a soak should be, and still
# short of what two cores can run without the desks queueing for them.
SOAK_PAUSE = (1.0, 3.0)
_PING = text("SELECT 1")


def _soak_desk(url: str, desk: int, staff_id: int, go: Any, stop: Any, out: Any) -> None:
    """A desk until told to stop: register a walk-in, call the next, finish it (or mark a
    no-show), each service call timed; the ticket in hand is finished before it stops."""
    services = Services.open(Settings(db_url=url, desk=desk))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "bench")
    rng = random.Random(desk)
    ms: dict[str, list[float]] = {"register": [], "call": [], "finish": [], "ping": []}
    registered: list[int] = []
    called: list[int] = []
    ended: list[int] = []
    errors: list[str] = []
    current = None
    # Warm, untimed, before the clock starts (as a desk's log-in does its first reads): one
    # visitor registered, called and served, so no first call pays for imports.
    _, info = services.queue.register_walk_in(
        actor, VisitorInput(given_names="Soak", family_name="Warm"), service_code="info"
    )
    registered.append(info.id)
    warm = services.queue.call_next(actor, desk)
    if warm is not None:
        called.append(warm.id)
        services.queue.finish(actor, warm.id)
        ended.append(warm.id)
    out.put("ready")
    go.wait()
    cpu = time.process_time()
    step = 0
    while not stop.is_set():
        stop.wait(rng.uniform(*SOAK_PAUSE))
        kind = ("register", "call", "finish")[step % 3] if current is None else "finish"
        if kind == "finish" and current is None:
            kind = "call"
        started = time.perf_counter()
        try:
            if kind == "register":
                _, info = services.queue.register_walk_in(
                    actor,
                    VisitorInput(given_names="Soak", family_name=f"Desk {letter_tag(desk)}"),
                    service_code="info" if rng.random() < 0.7 else "bsn_collection",
                )
                registered.append(info.id)
            elif kind == "call":
                current = services.queue.call_next(actor, desk)
                if current is not None:
                    called.append(current.id)
            else:
                assert current is not None
                if rng.random() < 0.06:
                    services.queue.no_show(actor, current.id)
                else:
                    services.queue.finish(actor, current.id)
                ended.append(current.id)
                current = None
        except Exception as error:  # counted and shown: a refused action is a failure
            errors.append(f"{kind}: {type(error).__name__}: {str(error)[:80]}")
        else:
            ms[kind].append((time.perf_counter() - started) * 1000)
        # The anchor: the same desk's round trip for nothing (SELECT 1 in a read), the
        # floor that the machine's load and the database's queue put under every call.
        started = time.perf_counter()
        with services.db.read() as session:
            session.execute(_PING)
        ms["ping"].append((time.perf_counter() - started) * 1000)
        step += 1
    cpu = time.process_time() - cpu
    if current is not None:  # the visitor in hand is served before the desk closes
        services.queue.finish(actor, current.id)
        ended.append(current.id)
    services.close()
    out.put((ms, registered, called, ended, errors, cpu))


def _soak_board(url: str, go: Any, stop: Any, out: Any) -> None:
    """A board as tui/board reads: on the queue's change signal (or every few seconds
    should none come) the cheap version first, the whole board only when it moved."""
    import threading

    from frontdesk.tui.board.app import POLL_SECONDS, REFRESH_SECONDS

    services = Services.open(Settings(db_url=url))
    signalled = threading.Event()
    services.queue_signal.listen(signalled.set)
    services.queue.board()  # warm, untimed
    reads: list[float] = []
    looks = errors = 0
    version: int | None = None
    fetched = 0.0
    out.put("ready")
    go.wait()
    cpu = time.process_time()
    while not stop.is_set():
        signalled.wait(POLL_SECONDS)
        signalled.clear()
        started = time.perf_counter()
        try:
            looks += 1
            now = services.queue.version()
            if now != version or time.monotonic() - fetched >= REFRESH_SECONDS:
                version = services.queue.board().version
                fetched = time.monotonic()
                reads.append((time.perf_counter() - started) * 1000)
        except Exception:  # the board says so and tries again; counted here
            errors += 1
    cpu = time.process_time() - cpu
    services.close()
    out.put(("board", reads, looks, errors, cpu))


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


def soak(url: str, services: Services, seconds: float) -> list[Figure]:
    """40 desk processes and 4 boards on one PostgreSQL for ``seconds``: the service
    calls' p95, and every ticket served once or still waiting at the end. SQLite takes
    one writer at a time: there the soak runs 8 desks, and its p95s are reported only."""
    pg = _dialect(url) == "postgresql"
    desks = 40 if pg else 8
    where = "PostgreSQL" if pg else "SQLite"
    reset_queue(services, 40)
    ctx = mp.get_context("spawn")
    out, go, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    staff = list(range(2, 11))  # the desk clerks of the bench data
    procs = [
        ctx.Process(target=_soak_desk, args=(url, d + 1, staff[d % len(staff)], go, stop, out))
        for d in range(desks)
    ]
    procs += [
        ctx.Process(target=_soak_board, args=(url, go, stop, out)) for _ in range(SOAK_BOARDS)
    ]
    try:
        for p in procs:
            p.start()
        for _ in procs:
            if _result(out, procs) != "ready":
                raise SystemExit("a soak process answered before it was ready")
        started = time.perf_counter()
        go.set()
        time.sleep(seconds)
        stop.set()
        elapsed = time.perf_counter() - started
        results = [_result(out, procs) for _ in procs]
    finally:
        stop.set()
        go.set()
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
    desk_results = [r for r in results if r[0] != "board"]
    board_results = [r for r in results if r[0] == "board"]
    ms: dict[str, list[float]] = {"register": [], "call": [], "finish": [], "ping": []}
    registered: list[int] = []
    called: list[int] = []
    ended: list[int] = []
    errors: list[str] = []
    cpu = sum(r[-1] for r in results)
    for times, r, c, e, err, _ in desk_results:
        for kind in ms:
            ms[kind] += times[kind]
        registered += r
        called += c
        ended += e
        errors += err
    with services.db.read() as session:
        status = dict(
            session.execute(
                select(Ticket.id, Ticket.status).where(Ticket.day == services.clock.today())
            ).all()
        )
        called_twice = session.scalar(
            text(
                "SELECT count(*) FROM (SELECT e.ticket_id FROM ticket_events e "
                "JOIN tickets t ON t.id = e.ticket_id WHERE t.day = :d AND e.action = 'called' "
                "GROUP BY e.ticket_id HAVING count(*) > 1) x"
            ),
            {"d": services.clock.today()},
        )
    # Lost: a ticket registered but gone, or left neither served nor waiting; or a ticket a
    # desk ended that the database does not hold as served.
    lost = sum(1 for t in registered if status.get(t) not in ("waiting", "done", "no_show"))
    lost += sum(1 for t in ended if status.get(t) not in ("done", "no_show"))
    double = len(called) - len(set(called)) + int(called_twice or 0)
    board_reads = [x for _, reads, _, _, _ in board_results for x in reads]
    board_errors = sum(e for _, _, _, e, _ in board_results)
    looks = sum(n for _, _, n, _, _ in board_results)
    actions = sum(len(ms[k]) for k in ("register", "call", "finish"))
    label = f"soak: {desks} desks + {SOAK_BOARDS} boards, {elapsed:.0f} s, {where}"
    figures = [
        Figure(f"{label}, actions per second", [actions / elapsed], None, "/s", "reported", None),
        Figure(
            "  soak: CPU its desks and boards used (not the database's), cores",
            [cpu / elapsed],
            None,
            "",
            "reported",
            None,
        ),
    ]
    for kind, name in (("call", "call next"), ("finish", "finish"), ("register", "register")):
        values = ms[kind] or [0.0]
        figures.append(
            Figure(
                f"  soak: {name}, service call p95 (anchor: SELECT 1)",
                values,
                ms["ping"] or None,
                "ms",
                "<= 30 ms" if pg else "reported",
                (bool(ms[kind]) and _pctl(values, 0.95) <= 30) if pg else None,
                "p95",
            )
        )
    figures += [
        Figure(
            f"  soak: a board's read, p95 ({len(board_reads)} reads of {looks} looks)",
            board_reads or [0.0],
            None,
            "ms",
            "reported",
            None,
            "p95",
        ),
        Figure(
            f"soak: tickets lost (of {len(registered)} registered)",
            [float(lost)],
            None,
            "",
            "0",
            lost == 0,
        ),
        Figure(
            f"soak: tickets double-called (of {len(called)} called)",
            [float(double)],
            None,
            "",
            "0",
            double == 0,
        ),
        Figure(
            "soak: actions refused"
            + (f" ({errors[0]})" if errors else "")
            + (f", board reads failed: {board_errors}" if board_errors else ""),
            [float(len(errors) + board_errors)],
            None,
            "",
            "0",
            not errors and not board_errors,
        ),
    ]
    return figures
