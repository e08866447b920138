"""`frontdesk kiosk --web` in a real browser: headless Debian chromium, driven over the
DevTools protocol (aiohttp's websocket client; no browser download), clicks through taking
a ticket; the number reaches the page, the ticket is in the database, and a screenshot is
saved. The page loads nothing from the internet (the server's offline page, as the board's).

Where to click: the kiosk's layout is the same at the same size, so the test lays the
same screens out with the Pilot (in this process, at the browser's terminal size) and
clicks the middle of each button's region, in pixels of the browser's terminal.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from frontdesk.config import load_settings
from frontdesk.db import Database
from frontdesk.db.models import Ticket
from frontdesk.services import Services
from frontdesk.tui.kiosk import KioskApp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)
TIMEOUT = 60.0  # seconds for a page to show a text; generous: CI machines are shared
# Open every day, all day, for walk-ins: the test does not depend on the hour it runs.
CONFIG = "[hours.walk_in]\n" + "".join(
    f'{day} = ["00:00-23:59"]\n' for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
# Records what the page's websocket receives (the terminal's output) and sends.
HOOK = """
(() => {
  const Original = window.WebSocket;
  window.__kiosk = {text: "", sent: []};
  const decoder = new TextDecoder();
  function Hooked(url, protocols) {
    const ws = protocols === undefined ? new Original(url) : new Original(url, protocols);
    ws.addEventListener("message", (event) => {
      window.__kiosk.text += typeof event.data === "string"
        ? event.data : decoder.decode(event.data, {stream: true});
    });
    const send = ws.send.bind(ws);
    ws.send = (data) => { window.__kiosk.sent.push(String(data)); return send(data); };
    return ws;
  }
  Hooked.prototype = Original.prototype;
  Object.assign(Hooked, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Hooked;
})();
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a process this test started, and the processes it started (its own group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture
def kiosk_web(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[str, Path]]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "frontdesk", "--config", str(config), "--db", sqlite_url,
         "kiosk", "--web", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")},
    )  # fmt: skip
    try:
        wait_for_port(port, time.monotonic() + TIMEOUT)
        yield f"http://127.0.0.1:{port}/", config
    finally:
        stop(server)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[int]:
    """Headless chromium with the DevTools protocol on a free port; yields that port."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < deadline, "chromium did not start"
            time.sleep(0.1)
        yield int(port_file.read_text().split()[0])
    finally:
        stop(process)


class DevTools:
    """The few DevTools protocol commands the test needs, over one websocket."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.next_id = 0
        self.requested: list[str] = []  # every URL the page asked for (Network domain)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.socket.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads((await self.socket.receive(timeout=TIMEOUT)).data)
            if message.get("method") == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return dict(message["result"])

    async def js(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_text(self, words: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not await self.js(f"window.__kiosk.text.includes({json.dumps(words)})"):
            assert time.monotonic() < deadline, f"{words!r} never reached the page"
            await asyncio.sleep(0.1)

    async def click(self, x: float, y: float) -> None:
        await self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )


async def button_cells(config: Path, url: str, size: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """The middle cell of each button the test taps, laid out by the Pilot at ``size``."""
    settings = load_settings(config_path=config, environ={}, db_url=url)
    services = Services(Database(url), settings)
    cells: dict[str, tuple[int, int]] = {}
    try:
        app = KioskApp(services, settings, printer=lambda slip: None)
        async with app.run_test(size=size) as pilot:

            async def note(selector: str) -> None:
                for _ in range(50):
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                    found = app.screen.query(selector)
                    if found and found.first().region.height:
                        break
                region = app.screen.query_one(selector).region
                cells[selector] = (region.x + region.width // 2, region.y + region.height // 2)

            await note("#lang-en")
            await pilot.click("#lang-en")
            await note("#take")
            await pilot.click("#take")
            await note("#service-info")
    finally:
        services.close()
    return cells


def test_a_visitor_takes_a_ticket_in_the_browser(
    kiosk_web: tuple[str, Path], browser: int, tmp_path: Path, sqlite_url: str
) -> None:
    page_url, config = kiosk_web

    requested: list[str] = []

    async def run() -> bytes:
        async with aiohttp.ClientSession() as http:
            targets = await (await http.get(f"http://127.0.0.1:{browser}/json/list")).json()
            target = next(t for t in targets if t["type"] == "page")
            async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tools = DevTools(ws)
                await tools.call("Page.enable")
                await tools.call("Network.enable")
                await tools.call("Page.addScriptToEvaluateOnNewDocument", source=HOOK)
                await tools.call("Page.navigate", url=page_url)
                await tools.wait_text("Choose your language")
                sent = await tools.js("window.__kiosk.sent")
                resize = [json.loads(m)[1] for m in sent if m.startswith('["resize"')][-1]
                cols, rows = int(resize["width"]), int(resize["height"])
                box = await tools.js(
                    "JSON.stringify(document.querySelector('.xterm-screen')"
                    ".getBoundingClientRect())"
                )
                rect = json.loads(box)
                cell_w, cell_h = rect["width"] / cols, rect["height"] / rows
                cells = await button_cells(config, sqlite_url, (cols, rows))

                async def tap(selector: str) -> None:
                    x, y = cells[selector]
                    await tools.click(
                        rect["x"] + (x + 0.5) * cell_w, rect["y"] + (y + 0.5) * cell_h
                    )

                await tap("#lang-en")
                # The choices show once the kiosk has read the hours (a worker): tap
                # then, not when the title is drawn.
                await tools.wait_text("Take a ticket")
                await tap("#take")
                await tools.wait_text("What do you come for?")
                await tap("#service-info")
                await tools.wait_text("A001")
                await tools.wait_text("Please take a seat")
                await asyncio.sleep(0.5)  # let the canvas paint the last frame
                shot = await tools.call("Page.captureScreenshot", format="png")
                requested.extend(tools.requested)
                return base64.b64decode(shot["data"])

    png = asyncio.run(asyncio.wait_for(run(), 4 * TIMEOUT))
    screenshot = tmp_path / "kiosk-ticket.png"
    screenshot.write_bytes(png)
    assert png.startswith(b"\x89PNG") and screenshot.stat().st_size > 5_000
    db = Database(sqlite_url)
    try:
        with db.read() as session:
            rows = session.execute(select(Ticket.label, Ticket.language)).all()
    finally:
        db.dispose()
    assert [tuple(r) for r in rows] == [("A001", "en")]
    # Works offline: the page asked for nothing beyond this server (no web fonts, no CDN).
    assert requested and all(
        url.startswith((page_url, page_url.replace("http", "ws", 1), "data:", "blob:"))
        for url in requested
    ), requested
    if os.environ.get("KIOSK_SCREENSHOT"):  # to look at it: KIOSK_SCREENSHOT=/tmp/x.png
        shutil.copy(screenshot, os.environ["KIOSK_SCREENSHOT"])
