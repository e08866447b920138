"""``frontdesk board``: the now-serving board, in the terminal or served to browsers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import (
    EXIT_OK,
    CliError,
    int_in,
)
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
    board.add_argument(
        "--web", action="store_true", help="serve the board to a browser with textual-serve"
    )
    board.add_argument(
        "--port", type=int, default=8000, metavar="N", help="port for --web (default 8000)"
    )
    board.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDR",
        help="address for --web to listen on (default 127.0.0.1, this machine only; "
        "e.g. 0.0.0.0 for the local network)",
    )
    board.add_argument(
        "--max-boards",
        type=int_in(1, 100),
        metavar="N",
        help="with --web: at most N browsers show the board at once, one process each "
        "(default: board_web_max from the config file, 4)",
    )
    board.set_defaults(handler=cmd_board)


def board_command(settings: Settings) -> list[str]:
    """The command textual-serve runs per browser: this board, on the same settings.

    The database URL travels in FRONTDESK_DB (see :func:`board_server`), not on the
    command line, where a password would show in the process list and the server's log.
    """
    command = [sys.executable, "-m", "frontdesk"]
    if settings.config_path is not None:
        command += ["--config", str(settings.config_path)]
    return [*command, "board"]


def board_server(
    settings: Settings, host: str, port: int, max_boards: int | None = None
) -> BoardServer:
    """The textual-serve Server for ``frontdesk board --web`` (not started here)."""
    import os
    import shlex
    import socket

    from frontdesk.tui.board.web import BoardServer

    if not 1 <= port <= 65535:
        raise CliError("--port must be between 1 and 65535")
    if not host.strip():
        raise CliError("--host needs an address, e.g. 127.0.0.1")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise CliError(f"--host: {host!r} is not an address of this machine") from None
    os.environ["FRONTDESK_DB"] = settings.db_url  # the board processes inherit it
    return BoardServer(
        shlex.join(board_command(settings)),
        max_boards=max_boards or settings.board_web_max,
        host=host,
        port=port,
        title="frontdesk · now serving",
    )


def cmd_board(args: argparse.Namespace, settings: Settings) -> int:
    if args.web:
        from frontdesk.tui.board.web import is_loopback

        server = board_server(settings, args.host, args.port, args.max_boards)
        if not is_loopback(args.host):
            print(
                f"frontdesk board: warning: listening on {args.host}, so anyone on that "
                "network can open the board (ticket numbers and desks; no names)",
                file=sys.stderr,
            )
        print(
            f"frontdesk board: open http://{args.host}:{args.port} in a browser, on at most "
            f"{server.max_boards} screens at once (Ctrl+C stops)"
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
