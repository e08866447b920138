"""``frontdesk feedback --desk N``: the rating tablet at a desk (in a terminal or ``--web``).

The parser and the command for the rating tablet (``build_parser`` calls
:func:`add_parser`; the command is :func:`cmd_feedback`).
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import sys
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import EXIT_OK, CliError, int_in
from frontdesk.config import Settings

if TYPE_CHECKING:
    from frontdesk.tui.feedback.web import FeedbackServer


def add_parser(subparsers: Any) -> None:
    feedback = subparsers.add_parser(
        "feedback",
        help="the rating tablet facing the visitor at a desk (no login, no names)",
        description="Ask the visitor at desk N how the visit was, once the desk finishes it: "
        "four faces and an optional reason, in the language of the visitor's ticket. "
        "With --web it is served to a tablet's browser. "
        "Example: frontdesk feedback --desk 2 --web --port 8010",
    )
    feedback.add_argument(
        "--desk",
        dest="tablet_desk",
        type=int_in(1, 99, "the desk's number"),
        required=True,
        metavar="N",
        help="the desk this tablet stands at",
    )
    feedback.add_argument(
        "--web", action="store_true", help="serve the tablet to a browser with textual-serve"
    )
    feedback.add_argument(
        "--port", type=int, default=8010, metavar="N", help="port for --web (default 8010)"
    )
    feedback.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDR",
        help="address for --web to listen on (default 127.0.0.1, this machine only)",
    )
    feedback.add_argument(
        "--max-tablets",
        type=int,
        default=None,
        metavar="N",
        help="with --web: at most N browsers show the tablet at once (default 2)",
    )
    feedback.set_defaults(handler=cmd_feedback)


def tablet_command(settings: Settings, desk: int) -> list[str]:
    """What textual-serve runs per browser: this tablet, on the same settings (the database
    URL travels in FRONTDESK_DB, not on the command line)."""
    command = [sys.executable, "-m", "frontdesk"]
    if settings.config_path is not None:
        command += ["--config", str(settings.config_path)]
    if settings.demo:
        command += ["--demo"]
    return [*command, "feedback", "--desk", str(desk)]


def feedback_server(
    settings: Settings, desk: int, host: str, port: int, max_tablets: int | None = None
) -> FeedbackServer:
    from frontdesk.tui.feedback.web import DEFAULT_MAX_TABLETS, FeedbackServer

    if not 1 <= port <= 65535:
        raise CliError("--port must be between 1 and 65535")
    if max_tablets is not None and not 1 <= max_tablets <= 20:
        raise CliError("--max-tablets must be between 1 and 20")
    if not host.strip():
        raise CliError("--host needs an address, e.g. 127.0.0.1")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise CliError(f"--host: {host!r} is not an address of this machine") from None
    os.environ["FRONTDESK_DB"] = settings.db_url
    return FeedbackServer(
        shlex.join(tablet_command(settings, desk)),
        max_boards=max_tablets or DEFAULT_MAX_TABLETS,
        host=host,
        port=port,
        title=f"frontdesk · rating at desk {desk}",
    )


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    desk: int = args.tablet_desk
    if args.web:
        from frontdesk.tui.board.web import is_loopback

        server = feedback_server(settings, desk, args.host, args.port, args.max_tablets)
        if not is_loopback(args.host):
            print(
                f"frontdesk feedback: warning: listening on {args.host}, so anyone on that "
                "network can open the rating tablet (no names, but they can rate visits)",
                file=sys.stderr,
            )
        print(
            f"frontdesk feedback: open http://{args.host}:{args.port} on the tablet at desk "
            f"{desk} (Ctrl+C stops)"
        )
        server.serve()
        return EXIT_OK
    if settings.demo:
        return _run_demo(settings, desk)
    from frontdesk.db import Database
    from frontdesk.services import Services

    # No migrations and no start-up writes here: the desks' app upgrades the database.
    return _run(Services(Database(settings.db_url), settings), desk)


def _run_demo(settings: Settings, desk: int) -> int:
    """``frontdesk --demo feedback --desk N`` joins the running demo (or starts one)."""
    from frontdesk.demo import demo_clock, demo_database, fill_demo
    from frontdesk.services import Services

    with demo_database(settings.db_url) as demo:
        clock, _note = demo_clock(settings, demo.fresh)
        services = Services.open(settings, clock)
        if demo.fresh:
            fill_demo(services, days=30)
            demo.filled()
        return _run(services, desk)


def _run(services: Any, desk: int) -> int:
    from frontdesk.tui.feedback import FeedbackApp

    try:
        FeedbackApp(services, desk).run()
    finally:
        services.close()
    return EXIT_OK
