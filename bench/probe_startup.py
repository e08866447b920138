"""Headless probes of the app, each run as its own process by bench/run.py.

    python bench/probe_startup.py paint T0            # a bare Textual app: first paint
    python bench/probe_startup.py floor T0 DRIVER     # the same after importing the stack
    python bench/probe_startup.py frontdesk T0 URL N  # login screen, log in N times
    python bench/probe_startup.py keys URL N          # F4, a keystroke in F3 and in F2 (N each)
    python bench/probe_startup.py table N             # the F4 anchor: one row of 500, N times
    python bench/probe_startup.py sync URL N          # another desk's call seen here (N)
    python bench/probe_startup.py board URL N         # a call seen on the terminal board (N)
    python bench/probe_startup.py lead URL N          # the lead screen: open, N refreshes

T0 is the parent's ``time.time()`` just before it started the process, so a start-up figure
is from the process's start until the screen is drawn. Each probe prints one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

PIN = "1234"
KEY_GAP = 0.150  # seconds between the PIN's keys: a clerk typing, not a paste


def peak_rss_kib() -> int:
    """VmHWM: this process's own peak (ru_maxrss would inherit the parent's across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _draw(app: Any) -> None:
    """Draw now what the screen would draw on its next frame (the same for every probe)."""
    app.screen._on_timer_update()


async def _until(check: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    deadline = time.perf_counter() + seconds
    while not check():
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.001)


def _post_key(app: Any, key: str) -> None:
    """A key as the driver delivers it: an event on the app's queue."""
    from textual import events

    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def _settled(app: Any) -> None:
    """Wait until what a key set off is on the screen, then draw it.

    Done when every message the key caused is handled (no message waits on the app, the
    screen or its widgets) and every worker it started has finished; checked every
    millisecond. (``pilot.pause`` slept in 20 ms steps until a 20 ms window was idle.)
    """

    from textual.worker import WorkerCancelled

    def quiet() -> bool:
        if any(not w.is_finished for w in app.workers):
            return False
        nodes = [app, *app.screen.walk_children(with_self=True)]
        return all(node.message_queue_size == 0 for node in nodes)

    while True:
        running = [w for w in app.workers if not w.is_finished]
        if running:
            # An exclusive worker replaced by a newer one ends cancelled: that is settled too.
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(running)
            continue
        if quiet():
            await asyncio.sleep(0)  # one more turn: a handler that just ran may post more
            if quiet():
                break
        await asyncio.sleep(0.001)
    _draw(app)


# -- start-up ------------------------------------------------------------------------------
async def _paint(t0: float) -> dict[str, float]:
    """A bare Textual app like the login screen (a title, a field, a footer): first paint."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input, Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Label("log in")
            yield Input(id="pin", password=True)
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(Input).focus()

    app = Bare()
    async with app.run_test(size=(120, 35)):
        await _until(lambda: app.focused is not None and app.focused.id == "pin", "the field")
        _draw(app)
        ready = time.time() - t0
    return {"ready": ready * 1000, "rss": peak_rss_kib() / 1024}


async def _frontdesk(t0: float, url: str, logins: int) -> dict[str, Any]:
    """The login screen with the PIN field ready; then log in (the PIN typed at 150 ms a
    key) until the desk shows today's queue, ``logins`` times (logging out between)."""
    from frontdesk.config import Settings
    from frontdesk.tui.app import FrontdeskApp
    from frontdesk.tui.screens.login import LoginScreen

    settings = Settings(db_url=url, desk=1, staff="Bench Staff 01")

    def opener() -> Any:  # as the CLI starts the app: the database opens behind the login
        from frontdesk.services import Services

        return Services.open(settings)

    app = FrontdeskApp(opener, settings)
    result: dict[str, Any] = {"enter": []}
    async with app.run_test(size=(120, 35)):

        def pin_ready() -> bool:
            focused = app.focused
            return (
                isinstance(app.screen, LoginScreen) and focused is not None and focused.id == "pin"
            )

        await _until(pin_ready, "the login screen")
        _draw(app)
        result["login"] = (time.time() - t0) * 1000
        for i in range(logins):
            if i:
                app.logout()
                await _until(pin_ready, "the login screen again")
                await asyncio.sleep(0.05)  # the next clerk steps up
            result["enter"].append(await _log_in(app))
            if i == 0:
                result["rss"] = peak_rss_kib() / 1024
    app.services.close()
    return result


def _desk_drawn(app: Any) -> bool:
    from textual.widgets import DataTable

    from frontdesk.tui.desk import DeskScreen

    screen = app.screen
    if not isinstance(screen, DeskScreen) or screen.last_update is None:
        return False
    return screen.query_one("#queue", DataTable).row_count == len(screen.last_update.rows)


async def _log_in(app: Any) -> float:
    """Type the PIN at 150 ms a key, then Enter: ms from Enter to the desk's queue drawn."""
    for key in PIN:
        _post_key(app, key)
        await asyncio.sleep(KEY_GAP)
    started = time.perf_counter()
    _post_key(app, "enter")
    await _until(lambda: _desk_drawn(app), "the desk with today's queue")
    _draw(app)
    return (time.perf_counter() - started) * 1000


async def _logged_in(url: str, staff: str = "Bench Staff 01", desk: int = 1) -> tuple[Any, Any]:
    from frontdesk.config import Settings
    from frontdesk.services import Services
    from frontdesk.tui.app import FrontdeskApp

    settings = Settings(db_url=url, desk=desk, staff=staff)
    services = Services.open(settings)
    return services, FrontdeskApp(services, settings)


async def _log_in_fast(app: Any) -> None:
    from frontdesk.tui.screens.login import LoginScreen

    await _until(
        lambda: (
            isinstance(app.screen, LoginScreen)
            and app.focused is not None
            and app.focused.id == "pin"
        ),
        "the login screen",
    )
    for key in [*PIN, "enter"]:
        _post_key(app, key)
    await _until(lambda: _desk_drawn(app), "the desk")
    await app.workers.wait_for_complete()


# -- keys ----------------------------------------------------------------------------------
async def _keys(url: str, presses: int) -> dict[str, list[float]]:
    """F4 (call next) until the called visitor's card is drawn; then F3 and a keystroke in
    its search field until the list is drawn; then F2 and a keystroke in the given names
    until the returning visitors are listed."""
    from textual.widgets import Input

    from frontdesk.tui.desk.find import FindScreen
    from frontdesk.tui.desk.register import RegisterScreen

    services, app = await _logged_in(url)
    timings: dict[str, list[float]] = {"f4": [], "f3": [], "f2": []}
    async with app.run_test(size=(120, 35)) as pilot:
        await _log_in_fast(app)
        await pilot.pause()

        async def press(key: str) -> float:
            started = time.perf_counter()
            _post_key(app, key)
            await _settled(app)
            elapsed = (time.perf_counter() - started) * 1000
            await pilot.pause()  # let the app go idle between presses, untimed
            return elapsed

        for i in range(2 * presses):
            # call the next visitor, then mark a no-show (untimed)
            elapsed = await press("f4" if i % 2 == 0 else "f7")
            if i % 2 == 0:
                timings["f4"].append(elapsed)
                if not app.screen.query_one("#current-number").label:
                    raise SystemExit("F4 did not show a called ticket: nothing was measured")
        await press("f3")
        if not isinstance(app.screen, FindScreen):
            raise SystemExit("F3 did not open the find screen")
        screen = app.screen
        field = screen.query_one("#query", Input)
        words = ["jans", "de v", "smit", "bakk", "mül", "ngu", "kim", "gar", "ali", "peter"]
        timings["f3"] = await _last_letters(
            app, field, words, presses, lambda: screen.results, "the search results"
        )
        await press("escape")
        await press("f2")
        if not isinstance(app.screen, RegisterScreen):
            raise SystemExit("F2 did not open the register form")
        form = app.screen
        field = form.query_one("#given_names", Input)
        timings["f2"] = await _last_letters(
            app,
            field,
            words,
            presses,
            lambda: form._found,
            "the returning visitors",
            start=presses,  # the words after those typed in F3
        )
    services.close()
    return timings


async def _last_letters(
    app: Any,
    field: Any,
    words: list[str],
    presses: int,
    shown: Callable[[], object],
    what: str,
    start: int = 0,
) -> list[float]:
    """ms per keystroke: the first letters of a word are in the field (their search not
    yet run: the last letter restarts the pause, as when typing), then the last letter,
    timed until ``shown()`` changes and the screen has settled."""
    timings: list[float] = []
    for i in range(presses):
        word = words[(start + i) % len(words)]
        field.value = word[:-1]
        await _settled(app)
        before = shown()
        started = time.perf_counter()
        _post_key(app, word[-1])
        await _until(lambda b=before: shown() is not b, what)
        await _settled(app)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def _table(presses: int) -> dict[str, list[float]]:
    """The F4 anchor: a bare Textual app with a 500-row table that updates one row and a
    label on a key."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import DataTable, Footer, Header, Static

    class Table(App[None]):
        BINDINGS = [Binding("f4", "change", "Change")]
        count = 0

        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable(id="t", cursor_type="row")
            yield Static("", id="card")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_column("Ticket", key="label")
            table.add_column("Service", key="service")
            table.add_column("Waiting", key="wait")
            table.add_column("Status", key="status")
            for i in range(500):
                table.add_row(f"A{i:03d}", "Information", f"{i} min", "waiting", key=str(i))
            table.focus()

        def action_change(self) -> None:
            self.count += 1
            row = str(self.count % 500)
            self.query_one(DataTable).update_cell(row, "status", f"called {self.count}")
            self.query_one("#card", Static).update(f"Visitor {self.count}")

    app = Table()
    out: list[float] = []
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for _ in range(presses):
            started = time.perf_counter()
            _post_key(app, "f4")
            await _settled(app)
            out.append((time.perf_counter() - started) * 1000)
            await pilot.pause()
    return {"table": out}


# -- another desk's call seen here ---------------------------------------------------------
def _caller(url: str, calls: int, out: Any, go: Any, seen: Any) -> None:
    """Desk 10, calling at a clerk's pace; reports each call's ticket and commit time.

    Each called ticket stays called until the watching app has shown it (``seen`` gets
    one item per call): finished earlier, it could leave the screen unseen (the board
    lists only the latest calls, and eight busy desks push it off between two reads)."""
    import queue
    import random

    from frontdesk.config import Settings
    from frontdesk.services import Actor, Services

    services = Services.open(Settings(db_url=url, desk=10))
    actor = Actor(11, "Bench Staff 10", "desk", 10, "bench")
    rng = random.Random(10)
    out.put("ready")
    go.wait()
    current = None
    for _ in range(calls):
        time.sleep(rng.uniform(0.2, 0.4))
        if current is not None:
            services.queue.finish(actor, current.id)
        current = services.queue.call_next(actor, 10)
        out.put(None if current is None else (current.id, time.time(), current.label))
        if current is not None:
            with contextlib.suppress(queue.Empty):  # the probe times out and says so
                seen.get(timeout=90)
    if current is not None:  # the desk is free for the next probe
        time.sleep(0.5)
        services.queue.finish(actor, current.id)
    services.close()


async def _while_desk_10_calls(
    url: str,
    calls: int,
    app: Any,
    ready: Callable[[], Awaitable[object]],
    watch: Callable[[], Coroutine[Any, Any, None]],
    stamps: dict[Any, float],
    key: Callable[[int, str], Any],
    what: str,
) -> list[float]:
    """Desk 10 (another process, :func:`_caller`) calls ``calls`` tickets while ``app`` runs;
    ``watch`` stamps in ``stamps`` when the app first shows each call (by ``key(ticket id,
    label)``). The ms from each call's commit until its stamp."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    out, go, shown = ctx.Queue(), ctx.Event(), ctx.Queue()
    caller = ctx.Process(target=_caller, args=(url, calls, out, go, shown), daemon=True)
    caller.start()
    seen: list[float] = []
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(120, 35)):
        await ready()
        watcher = asyncio.create_task(watch())
        await loop.run_in_executor(None, out.get, True, 120)
        go.set()
        for _ in range(calls):
            item = await loop.run_in_executor(None, out.get, True, 60)
            if item is None:
                raise SystemExit("desk 10 found nobody waiting")
            ticket_id, at, label = item
            k = key(ticket_id, label)
            await _until(lambda k=k: k in stamps, what)
            seen.append((stamps[k] - at) * 1000)
            shown.put(k)  # desk 10 may finish it now
        watcher.cancel()
    caller.join()
    return seen


async def _sync(url: str, calls: int) -> dict[str, list[float]]:
    services, app = await _logged_in(url)
    moved: dict[int, float] = {}  # ticket -> when this desk's screen first showed it called

    async def watch() -> None:
        """Every new read the desk applies: the tickets it shows called, or no longer
        shows (called and finished between two reads), stamped with the wall time."""
        last = app.screen.last_update
        while True:
            update = app.screen.last_update
            if update is not last and update is not None:
                now = time.time()
                for t in update.tickets.values():
                    if t.status != "waiting":
                        moved.setdefault(t.id, now)
                if last is not None:
                    for gone in last.tickets.keys() - update.tickets.keys():
                        moved.setdefault(gone, now)
                last = update
            await asyncio.sleep(0.001)

    seen = await _while_desk_10_calls(
        url,
        calls,
        app,
        lambda: _log_in_fast(app),
        watch,
        moved,
        lambda ticket_id, _label: ticket_id,
        "the other desk's call",
    )
    services.close()
    return {"sync": seen}


async def _board(url: str, calls: int) -> dict[str, list[float]]:
    """The terminal board while desk 10 calls: ms from the call's commit until the board
    shows the ticket as served (its screen updated; drawn on the next frame)."""
    from frontdesk.config import Settings
    from frontdesk.services import Services
    from frontdesk.tui.board import BoardApp

    services = Services.open(Settings(db_url=url))
    app = BoardApp(services)
    shown: dict[str, float] = {}  # label -> when the board first showed it served

    async def watch() -> None:
        last = None
        while True:
            state = app.state
            if state is not last and state is not None:
                now = time.time()
                for call in state.serving:
                    shown.setdefault(call.label, now)
                last = state
            await asyncio.sleep(0.001)

    seen = await _while_desk_10_calls(
        url,
        calls,
        app,
        lambda: _until(lambda: app.state is not None, "the board"),
        watch,
        shown,
        lambda _ticket, label: label,
        "the call on the board",
    )
    services.close()
    return {"board": seen}


# -- the lead screen -----------------------------------------------------------------------
async def _lead(url: str, refreshes: int) -> dict[str, list[float]]:
    """Alt+5 until the dashboard is drawn; then Ctrl+R refreshes until drawn."""
    from frontdesk.tui.lead import LeadScreen

    services, app = await _logged_in(url, staff="Bench Staff 00")
    timings: dict[str, list[float]] = {"open": [], "refresh": []}
    async with app.run_test(size=(120, 35)) as pilot:
        await _log_in_fast(app)
        for i in range(refreshes + 1):
            key = "alt+5" if i == 0 else "ctrl+r"
            started = time.perf_counter()
            _post_key(app, key)
            await _settled(app)
            if not isinstance(app.screen, LeadScreen):
                raise SystemExit("Alt+5 did not open the lead screen")
            timings["open" if i == 0 else "refresh"].append((time.perf_counter() - started) * 1000)
            await pilot.pause()
    services.close()
    return timings


def main() -> None:
    kind, args = sys.argv[1], sys.argv[2:]
    result: Any
    if kind == "paint":
        result = asyncio.run(_paint(float(args[0])))
    elif kind == "floor":
        import sqlalchemy.orm  # noqa: F401

        if args[1] == "postgresql":
            import psycopg  # noqa: F401
        else:
            import sqlite3  # noqa: F401
        result = asyncio.run(_paint(float(args[0])))
    elif kind == "frontdesk":
        result = asyncio.run(_frontdesk(float(args[0]), args[1], int(args[2])))
    elif kind == "keys":
        result = asyncio.run(_keys(args[0], int(args[1])))
    elif kind == "table":
        result = asyncio.run(_table(int(args[0])))
    elif kind == "sync":
        result = asyncio.run(_sync(args[0], int(args[1])))
    elif kind == "board":
        result = asyncio.run(_board(args[0], int(args[1])))
    elif kind == "lead":
        result = asyncio.run(_lead(args[0], int(args[1])))
    else:
        raise SystemExit(f"unknown probe {kind}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
