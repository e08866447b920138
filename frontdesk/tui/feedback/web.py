"""``frontdesk feedback --web``: the rating tablet served to a tablet's browser.

The board's textual-serve server (:class:`frontdesk.tui.board.web.BoardServer`: offline
font, a cap on connections, one process each), with its own "already open" page.
"""

from __future__ import annotations

from frontdesk.tui.board.web import BoardServer

DEFAULT_MAX_TABLETS = 2


class FeedbackServer(BoardServer):
    SCREEN = "tablet"
    FULL_HEADING = "The rating tablet is already open on {screens}"
    FULL_MESSAGE = (
        "Close it on a tablet you no longer use; this page tries again every 30 seconds. "
        "(Start the server with --max-tablets to allow more.)"
    )
