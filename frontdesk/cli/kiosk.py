"""``frontdesk kiosk``: the self-service kiosk, in a terminal or served to a tablet's browser.

``frontdesk kiosk`` runs the kiosk App on this terminal; ``--web`` serves it with
textual-serve (one kiosk process per browser, at most ``--max-kiosks`` at once, loopback
by default, no fonts or scripts from the internet). ``frontdesk --demo kiosk`` joins the
running demo like a second desk does (or starts one).
"""

from __future__ import annotations

import argparse
from typing import Any

from frontdesk.cli.common import EXIT_OK, CliError, demo_services
from frontdesk.cli.web import add_web_flags, announce, check_address, served_command
from frontdesk.config import Settings

DEFAULT_KIOSK = "Kiosk"  # as services.kiosk.DEFAULT_KIOSK (not imported: the CLI starts light)

DEFAULT_MAX_KIOSKS = 2


def add_parser(sub: Any) -> None:
    kiosk = sub.add_parser(
        "kiosk",
        help="the self-service kiosk: visitors take a ticket or check in (no login)",
        description="The self-service kiosk for a tablet by the entrance: a visitor picks a "
        "language, takes a ticket or checks in for an appointment. It acts as its own "
        "account (role kiosk, no PIN) and shows no personal data. With --web it is served "
        "to the tablet's browser. Example: frontdesk kiosk --web --host 0.0.0.0 --port 8001",
    )
    kiosk.add_argument(
        "--name",
        default=DEFAULT_KIOSK,
        metavar="NAME",
        help=f"this kiosk's name (default {DEFAULT_KIOSK!r}); each kiosk its own, for its limits",
    )
    add_web_flags(kiosk, "kiosk", 8001, "; e.g. 0.0.0.0 for the tablet on the local network")
    kiosk.add_argument(
        "--max-kiosks",
        type=int,
        default=DEFAULT_MAX_KIOSKS,
        metavar="N",
        help=f"with --web: at most N browsers at once, a process each (default "
        f"{DEFAULT_MAX_KIOSKS}; 1 to 20)",
    )
    kiosk.set_defaults(handler=cmd_kiosk)


def kiosk_command(settings: Settings, name: str) -> list[str]:
    """What textual-serve runs per browser: this kiosk, on the same settings."""
    return served_command(settings, "kiosk", "--name", name)


def cmd_kiosk(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.max_kiosks <= 20:
        raise CliError("--max-kiosks must be between 1 and 20")
    if args.web:
        return _serve(args, settings)
    if settings.demo:
        from frontdesk.demo import demo_database

        with demo_database(settings.db_url) as demo:
            _run(settings, args.name, demo)
        return EXIT_OK
    _run(settings, args.name, None)
    return EXIT_OK


def _run(settings: Settings, name: str, demo: Any) -> None:
    from frontdesk.services import Services
    from frontdesk.tui.kiosk import KioskApp

    services = demo_services(settings, demo)[0] if demo is not None else Services.open(settings)
    try:
        services.kiosk.account(name)  # refuses a person's name before the screen opens
        KioskApp(services, settings, kiosk_name=name).run()
    finally:
        services.close()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import shlex

    from frontdesk.tui.board.web import BoardServer

    class KioskServer(BoardServer):
        FULL_HEADING = "Please ask at the desk"
        FULL_MESSAGE = (
            "The kiosk is already open on {screens}. This page tries again every 30 seconds."
        )

    check_address(settings, args.host, args.port)
    server = KioskServer(
        shlex.join(kiosk_command(settings, args.name)),
        max_boards=args.max_kiosks,
        host=args.host,
        port=args.port,
        title="frontdesk · kiosk",
    )
    announce(
        "kiosk",
        args.host,
        "can take tickets here",
        f"open http://{args.host}:{args.port} in the tablet's browser "
        f"(at most {server.max_boards} at once; Ctrl+C stops)",
    )
    if settings.demo:
        from frontdesk.demo import demo_database

        with demo_database(settings.db_url) as demo:  # the demo lives while the server runs
            if demo.fresh:
                demo_services(settings, demo)[0].close()  # fills the demo
            server.serve()
        return EXIT_OK
    server.serve()
    return EXIT_OK
