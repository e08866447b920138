"""One headless start-up, run as its own process by bench/run.py.

    python bench/probe_startup.py frontdesk DB_URL   # log in, wait for today's queue
    python bench/probe_startup.py anchor             # a bare Textual app: header, table, footer

Prints the peak memory (KiB) when the screen is ready; the parent times the whole process.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


async def _anchor() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Anchor(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Ticket", "Service", "Waiting", "Status")
            for i in range(50):
                table.add_row(f"A{i:03d}", "Information & advice", f"{i} min", "waiting")

    app = Anchor()
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()


async def _frontdesk(url: str, presses: int = 0) -> None:
    from textual.widgets import DataTable

    from frontdesk.config import Settings
    from frontdesk.services import Services
    from frontdesk.tui.app import FrontdeskApp
    from frontdesk.tui.screens.desk import DeskScreen
    from frontdesk.tui.screens.login import LoginScreen

    settings = Settings(db_url=url, desk=1, staff="Bench Staff 01")
    services = Services.open(settings)
    app = FrontdeskApp(services, settings)
    async with app.run_test(size=(120, 35)) as pilot:
        for _ in range(2000):
            focused = app.focused
            if isinstance(app.screen, LoginScreen) and focused is not None and focused.id == "pin":
                break
            await asyncio.sleep(0.005)
        # The PIN arrives as a terminal delivers it: key events on the app's queue, as
        # fast as the app takes them. ``pilot.press`` waited for the app to go idle after
        # every key (20 ms idle windows, ~0.4 s for five keys) that no typist waits for.
        _type(app, [*"1234", "enter"])
        for _ in range(4000):
            screen = app.screen
            # Ready when the desk's first read of today's queue is in its table. (Not "no
            # table yet": with the PIN typed at full speed, a loaded machine could see the
            # desk pushed but not yet composed, and leave before it was.)
            if isinstance(screen, DeskScreen) and screen.last_update is not None:
                table = screen.query_one("#queue", DataTable)
                if table.row_count == len(screen.last_update.rows):
                    break
            await asyncio.sleep(0.005)
        else:
            raise SystemExit(f"the desk did not show today's queue (on {app.screen!r})")
        if presses:
            await _keys(app, pilot, presses)
    services.close()


def _type(app: Any, keys: list[str]) -> None:
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app.post_message(event)


async def _settled(app: Any, pilot: Any) -> None:
    """Wait until what a key set off is on the screen, then paint it.

    Done when every message the key caused is handled (no message waits on the app, the
    screen or its widgets), every worker it started has finished (and the workers their
    results start), and the screen has drawn the changes. Checked every millisecond.

    ``pilot.press`` + ``pilot.pause`` instead slept in 20 ms steps until a 20 ms window
    used < 1 ms of CPU (``wait_for_idle``, three times): a bare Textual app with a 50-row
    table measured 84 ms for a down arrow that way, above the 50 ms target before the desk
    did anything, and CPU in any thread (the desk's 1 s poll) counted as "not idle".
    ``pilot._wait_for_screen`` is not used either: it posts a callback to every widget and
    waits for each (2-4 ms a round on the idle desk), work the app never does for a key.
    """

    def quiet() -> bool:
        if any(not w.is_finished for w in app.workers):
            return False
        nodes = [app, *app.screen.walk_children(with_self=True)]
        return all(node.message_queue_size == 0 for node in nodes)

    while True:
        running = [w for w in app.workers if not w.is_finished]
        if running:
            await app.workers.wait_for_complete(running)
            continue
        if quiet():
            await asyncio.sleep(0)  # one more turn: a handler that just ran may post more
            if quiet():
                break
        await asyncio.sleep(0.001)
    app.screen._on_timer_update()  # draw now what the screen would draw on its next frame


async def _keys(app: Any, pilot: Any, presses: int) -> None:
    """Time key presses on the desk: from the key until its effect is drawn (see _settled)."""
    from textual import events
    from textual.widgets import DataTable

    await app.workers.wait_for_complete()
    await pilot.pause()
    table = app.screen.query(DataTable).first()
    table.focus()
    await pilot.pause()

    async def press(key: str) -> float:
        started = time.perf_counter()
        event = events.Key(key, None)
        event.set_sender(app)
        app.post_message(event)  # what the driver does, without a hop through a thread future
        await _settled(app, pilot)
        elapsed = (time.perf_counter() - started) * 1000
        await pilot.pause()  # let the app go idle between presses, untimed
        return elapsed

    timings: dict[str, list[float]] = {"down": [], "f4": []}
    for i in range(2 * presses):
        row = table.cursor_row
        timings["down"].append(await press("down" if (i // 10) % 2 == 0 else "up"))
        if table.cursor_row == row:
            raise SystemExit("the arrow key did not move the cursor: nothing was measured")
    for i in range(presses):
        # call the next visitor, then mark a no-show
        elapsed = await press("f4" if i % 2 == 0 else "f7")
        if i % 2 == 0:
            timings["f4"].append(elapsed)
            if not app.screen.query_one("#current-number").label:
                raise SystemExit("F4 did not show a called ticket: nothing was measured")
    print(json.dumps(timings))


def main() -> None:
    kind = sys.argv[1]
    if kind == "anchor":
        asyncio.run(_anchor())
    elif kind == "keys":
        asyncio.run(_frontdesk(sys.argv[2], int(sys.argv[3])))
        return
    else:
        asyncio.run(_frontdesk(sys.argv[2]))
    print(peak_rss_kib())


def peak_rss_kib() -> int:
    """VmHWM: this process's own peak (ru_maxrss would inherit the parent's across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
