"""``frontdesk board``: the now-serving board, in the terminal or served to browsers."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import EXIT_OK, int_in
from frontdesk.cli.web import add_web_flags, announce, check_address, served_command
from frontdesk.config import Settings

if TYPE_CHECKING:
    from frontdesk.tui.board.web import BoardServer


def add_parser(sub: Any) -> None:
    board = sub.add_parser(
        "board",
        help="the now-serving board for the waiting room (no login, no names)",
        description="Show the now-serving board: tickets being called and their desks, "
        "the last calls, and per service how many wait. No login, no personal data. "
        "With --web it is served to a browser (a TV in the waiting room). "
        "Example: frontdesk --db sqlite:///frontdesk.sqlite3 board --web --port 8000",
    )
    add_web_flags(board, "board", 8000, "; e.g. 0.0.0.0 for the local network")
    board.add_argument(
        "--max-boards",
        type=int_in(1, 100),
        metavar="N",
        help="with --web: at most N browsers show the board at once, one process each "
        "(default: board_web_max from the config file, 4)",
    )
    board.add_argument(
        "--speak",
        action="store_true",
        default=None,
        help="say each new call aloud with espeak-ng on this machine (as [board] speak)",
    )
    board.set_defaults(handler=cmd_board)


def board_command(settings: Settings) -> list[str]:
    """The command textual-serve runs per browser: this board, on the same settings."""
    speak = ["--speak"] if settings.board_speak else []
    return served_command(settings, "board", *speak, demo=False)


def board_server(
    settings: Settings, host: str, port: int, max_boards: int | None = None
) -> BoardServer:
    """The textual-serve Server for ``frontdesk board --web`` (not started here)."""
    import shlex

    from frontdesk.tui.board.web import BoardServer

    check_address(settings, host, port)
    return BoardServer(
        shlex.join(board_command(settings)),
        max_boards=max_boards or settings.board_web_max,
        host=host,
        port=port,
        title="frontdesk · now serving",
    )


def cmd_board(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(board_speak=args.speak)
    if args.web:
        server = board_server(settings, args.host, args.port, args.max_boards)
        announce(
            "board",
            args.host,
            "can open the board (ticket numbers and desks; no names)",
            f"open http://{args.host}:{args.port} in a browser, on at most "
            f"{server.max_boards} screens at once (Ctrl+C stops)",
        )
        server.serve()
        return EXIT_OK
    from frontdesk.db import Database
    from frontdesk.services import Services
    from frontdesk.tui.board import BoardApp

    # No migrations and no start-up writes: the board only reads. If the database is not
    # there yet, the board says so and keeps trying.
    services = Services(Database(settings.db_url), settings)
    try:
        BoardApp(services).run()
    finally:
        services.close()
    return EXIT_OK
