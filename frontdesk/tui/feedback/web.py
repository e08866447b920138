"""``frontdesk feedback --web``: the rating tablet served to a tablet's browser.

The board's textual-serve server (:class:`frontdesk.tui.board.web.BoardServer`: offline
font, a cap on connections, one process each), with its own "already open" page.
"""

from __future__ import annotations

import html

from aiohttp import web

from frontdesk.tui.board.web import BoardServer

DEFAULT_MAX_TABLETS = 2
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
      h1 {{ font-size: 2.2em; }} p {{ font-size: 1.3em; max-width: 40em; }}
    </style>
  </head>
  <body>
    <main>
      <h1>The rating tablet is already open on {screens}</h1>
      <p>Close it on a tablet you no longer use; this page tries again every 30 seconds.
      (Start the server with --max-tablets to allow more.)</p>
    </main>
  </body>
</html>
"""


class FeedbackServer(BoardServer):
    def full_page(self) -> web.Response:
        screens = "1 tablet" if self.max_boards == 1 else f"{self.max_boards} tablets"
        body = FULL_PAGE.format(title=html.escape(self.title), screens=screens)
        return web.Response(text=body, content_type="text/html", status=503)
