"""``frontdesk feedback --desk N``: the rating tablet at a desk (in a terminal or ``--web``).

The parser and the command for the rating tablet (``build_parser`` calls
:func:`add_parser`; the command is :func:`cmd_feedback`).
"""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import EXIT_OK, CliError, demo_services, int_in
from frontdesk.cli.web import add_web_flags, announce, check_address, served_command
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
    add_web_flags(feedback, "tablet", 8010, "")
    feedback.add_argument(
        "--max-tablets",
        type=int,
        default=None,
        metavar="N",
        help="with --web: at most N browsers show the tablet at once (default 2)",
    )
    feedback.set_defaults(handler=cmd_feedback)


def tablet_command(settings: Settings, desk: int) -> list[str]:
    """What textual-serve runs per browser: this tablet, on the same settings."""
    return served_command(settings, "feedback", "--desk", str(desk))


def feedback_server(
    settings: Settings, desk: int, host: str, port: int, max_tablets: int | None = None
) -> FeedbackServer:
    from frontdesk.tui.feedback.web import DEFAULT_MAX_TABLETS, FeedbackServer

    if not 1 <= port <= 65535:
        raise CliError("--port must be between 1 and 65535")
    if max_tablets is not None and not 1 <= max_tablets <= 20:
        raise CliError("--max-tablets must be between 1 and 20")
    check_address(settings, host, port)
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
        server = feedback_server(settings, desk, args.host, args.port, args.max_tablets)
        announce(
            "feedback",
            args.host,
            "can open the rating tablet (no names, but they can rate visits)",
            f"open http://{args.host}:{args.port} on the tablet at desk {desk} (Ctrl+C stops)",
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
    from frontdesk.demo import demo_database

    with demo_database(settings.db_url) as demo:
        services, _note = demo_services(settings, demo)
        return _run(services, desk)


def _run(services: Any, desk: int) -> int:
    from frontdesk.tui.feedback import FeedbackApp

    try:
        FeedbackApp(services, desk).run()
    finally:
        services.close()
    return EXIT_OK
