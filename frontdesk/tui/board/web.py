"""``frontdesk board --web``: the now-serving board served to browsers by textual-serve.

Two changes to textual-serve's server, both for a waiting-room TV:

- **A cap on boards.** Each browser connection starts its own board process (about
  50 MiB); at most ``max_boards`` run at once. A later browser gets a short page that
  says so instead of another process (and its websocket is closed at once).
- **Works offline.** textual-serve's page loads the "Roboto Mono" font from Google
  Fonts; here the page declares the same font from the copy textual-serve ships in its
  static folder, and falls back to the browser's own monospace font.
"""

from __future__ import annotations

import html
import ipaddress
import re
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from textual_serve.server import Server

DEFAULT_MAX_BOARDS = 4
_WEB_FONT = re.compile(r"\s*<link\s[^>]*fonts\.googleapis\.com[^>]*/>\s*", re.S)
_LOCAL_FONT = """
    <style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf")
          format("truetype");
        font-style: normal;
        font-weight: 100 700;
      }
    </style>
"""
FULL_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="refresh" content="30">
    <title>{title}</title>
    <style>
      body {{ background: #0c181f; color: #f2f2f2; font-family: sans-serif;
             display: flex; align-items: center; justify-content: center; height: 100vh;
             margin: 0; text-align: center; }}
      h1 {{ font-size: 2.5em; }} p {{ font-size: 1.4em; max-width: 40em; }}
    </style>
  </head>
  <body>
    <main>
      <h1>{heading}</h1>
      <p>{message}</p>
    </main>
  </body>
</html>
"""


def offline_template(original: str) -> str:
    """textual-serve's page without the Google Fonts link, with the font served locally."""
    without = _WEB_FONT.sub("\n", original)
    return without.replace("</head>", _LOCAL_FONT + "  </head>", 1)


def is_loopback(host: str) -> bool:
    """True when only this machine can reach ``host`` (127.x, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class BoardServer(Server):
    """textual-serve's Server with a cap on concurrent boards and an offline page."""

    def __init__(self, command: str, *, max_boards: int = DEFAULT_MAX_BOARDS, **kwargs: Any):
        super().__init__(command, **kwargs)
        self.max_boards = max_boards
        self.active = 0

    async def web_app(self) -> web.Application:
        """The aiohttp application that ``serve`` runs, with the offline page."""
        return await self._make_app()

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        import aiohttp_jinja2

        original = (Path(self.templates_path) / "app_index.html").read_text(encoding="utf-8")
        loader = jinja2.DictLoader({"app_index.html": offline_template(original)})
        aiohttp_jinja2.setup(app, loader=loader)
        return app

    # The page a browser gets when the cap is reached ({screens}: "2 screens"); the kiosk
    # and the rating tablet say it in their own words.
    SCREEN = "screen"
    FULL_HEADING = "The board is already open on {screens}"
    FULL_MESSAGE = (
        "This server shows the board on at most {screens} at once. Close the board on a "
        "screen you no longer use; this page tries again every 30 seconds. (The team lead "
        "can allow more with <code>board_web_max</code> in the config file.)"
    )

    def full_page(self) -> web.Response:
        n = self.max_boards
        screens = f"1 {self.SCREEN}" if n == 1 else f"{n} {self.SCREEN}s"
        text = FULL_PAGE.format(
            title=html.escape(self.title),
            heading=self.FULL_HEADING.format(screens=screens),
            message=self.FULL_MESSAGE.format(screens=screens),
        )
        return web.Response(text=text, content_type="text/html", status=503)

    async def handle_index(self, request: web.Request) -> Any:
        if self.active >= self.max_boards:
            return self.full_page()
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self.active >= self.max_boards:
            websocket = web.WebSocketResponse()
            await websocket.prepare(request)
            await websocket.close(message=b"the board is already open on enough screens")
            return websocket
        self.active += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.active -= 1
