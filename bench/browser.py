"""A call on the board in a browser: ``frontdesk board --web`` (textual-serve) shown in
headless Debian ``chromium``, driven over the Chrome DevTools protocol.

The board is a Textual app whose screen reaches the page as terminal output over a
websocket, and xterm.js draws it on a canvas: the page's DOM never holds the text. So a
script the page runs before its own records each websocket message as it arrives (the
page's clock), with the text in it (escape sequences taken out); the figure is from the
call's commit at desk 10 (another process, :func:`bench.probe_startup._caller`) until the
message that writes the ticket's number in the board's "Last calls" list arrived in the
page. xterm.js paints it on the browser's next frame (about 16 ms on, not counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.figures import ProbeFailed

# Runs in the page before textual.js: every websocket message's arrival time (ms since
# the epoch, as time.time() * 1000) and its text, kept in one string with the offsets
# where each message starts. Colour and style sequences vanish; cursor moves become a
# line break, so that two pieces of the screen never join into a false ticket number.
_RECORDER = r"""
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  const style = /\x1b\[[0-9;:]*m/g;
  const title = /\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g;
  const csi = /\x1b\[[0-9;:?<=>]*[ -\/]*[@-~]/g;
  const esc = /\x1b([()#][0-9A-Za-z]|[=>78DEHMNOZc])/g;
  window.__text = "";
  window.__starts = [];
  window.__times = [];
  window.WebSocket = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;
      const at = performance.timeOrigin + performance.now();
      const raw = decoder.decode(new Uint8Array(event.data), { stream: true });
      window.__starts.push(window.__text.length);
      window.__times.push(at);
      window.__text += raw
        .replace(style, "").replace(title, "").replace(csi, "\n").replace(esc, "\n");
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
  // When the text first held `label`: the arrival of the message that completed it.
  window.__find = (label) => {
    const i = window.__text.indexOf(label);
    if (i < 0) return null;
    const end = i + label.length - 1;
    let k = window.__starts.length - 1;
    while (k > 0 && window.__starts[k] > end) k--;
    return window.__times[k];
  };
})();
"""
_DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Page:
    """One page of the browser, over the DevTools protocol's websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> Any:
        self.next_id += 1
        mine = self.next_id
        await self.ws.send_str(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads((await self.ws.receive(timeout=60)).data)
            if message.get("id") == mine:
                if "error" in message:
                    raise ProbeFailed(f"chromium: {method}: {message['error']}")
                return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        got = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return got.get("result", {}).get("value")


async def _until(check: Any, what: str, seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ProbeFailed(f"browser board: timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def _measure(browser: str, url: str, calls: int, home: str) -> list[float]:
    import aiohttp

    from bench.probe_startup import _caller

    port = _free_port()
    env = dict(os.environ, XDG_DATA_HOME=home, FRONTDESK_DB=url)
    server = subprocess.Popen(
        [sys.executable, "-m", "frontdesk", "board", "--web", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = Path(home, "chromium.log")
    chrome = subprocess.Popen(
        [
            browser,
            "--headless=new",
            "--no-sandbox",  # (as root)
            "--no-first-run",
            "--disable-extensions",
            "--mute-audio",
            "--window-size=1280,800",
            f"--user-data-dir={home}/chromium",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # (a pipe left unread would fill and stop chromium)
        start_new_session=True,
    )
    ctx = mp.get_context("spawn")
    out, go, shown = ctx.Queue(), ctx.Event(), ctx.Queue()
    caller = ctx.Process(target=_caller, args=(url, calls, out, go, shown), daemon=True)
    loop = asyncio.get_running_loop()
    try:
        deadline = time.monotonic() + 60
        while not (found := _DEVTOOLS.search(log.read_text(errors="replace"))):
            if time.monotonic() > deadline or chrome.poll() is not None:
                raise ProbeFailed("chromium did not start (no DevTools endpoint)")
            await asyncio.sleep(0.05)
        debug = found.group(1).split("/devtools/")[0].replace("ws://", "http://")
        with socket.socket() as probe:  # the board server is up
            deadline = time.monotonic() + 60
            while probe.connect_ex(("127.0.0.1", port)) != 0:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise ProbeFailed("frontdesk board --web did not start")
                await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as http:
            targets = await (await http.get(f"{debug}/json/list")).json()
            target = next(t for t in targets if t.get("type") == "page")
            async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                page = _Page(ws)
                await page.call("Page.enable")
                await page.call("Page.addScriptToEvaluateOnNewDocument", source=_RECORDER)
                await page.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
                await _until(
                    lambda: page.evaluate("(window.__text || '').includes('Last calls')"),
                    "the board in the browser",
                )
                caller.start()
                await loop.run_in_executor(None, out.get, True, 120)  # desk 10 is ready
                go.set()
                seen: list[float] = []
                for _ in range(calls):
                    item = await loop.run_in_executor(None, out.get, True, 60)
                    if item is None:
                        raise ProbeFailed("browser board: desk 10 found nobody waiting")
                    _, at, label = item
                    # The recent list shows the number padded: "A012  desk 10".
                    shown_at = await _until(
                        lambda label=label: page.evaluate(f"window.__find({json.dumps(label)})"),
                        f"{label} on the board in the browser",
                    )
                    seen.append(shown_at - at * 1000)
                    shown.put(label)  # desk 10 may finish it now
        caller.join(timeout=60)
        return seen
    finally:
        if caller.is_alive():
            caller.terminate()
        for process in (chrome, server):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def web_board(url: str, calls: int) -> list[float] | None:
    """ms from each of ``calls`` calls at desk 10 to its number arriving in the browser's
    board; None when there is no chromium on this machine."""
    browser = chromium()
    if browser is None:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-web-") as home:
        return asyncio.run(_measure(browser, url, calls, home))
