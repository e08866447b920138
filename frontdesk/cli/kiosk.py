"""``frontdesk kiosk``: the self-service kiosk, in a terminal or served to a tablet's browser.

``frontdesk kiosk`` runs the kiosk App on this terminal; ``--web`` serves it with
textual-serve (one kiosk process per browser, at most ``--max-kiosks`` at once, loopback
by default, no fonts or scripts from the internet). ``frontdesk --demo kiosk`` joins the
running demo like a second desk does (or starts one).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from frontdesk.cli.common import EXIT_OK, CliError
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
    kiosk.add_argument(
        "--web", action="store_true", help="serve the kiosk to a browser with textual-serve"
    )
    kiosk.add_argument(
        "--port", type=int, default=8001, metavar="N", help="port for --web (default 8001)"
    )
    kiosk.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDR",
        help="address for --web to listen on (default 127.0.0.1, this machine only; "
        "e.g. 0.0.0.0 for the tablet on the local network)",
    )
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
    """What textual-serve runs per browser (the database URL travels in FRONTDESK_DB)."""
    command = [sys.executable, "-m", "frontdesk"]
    if settings.config_path is not None:
        command += ["--config", str(settings.config_path)]
    if settings.demo:
        command += ["--demo"]
    return [*command, "kiosk", "--name", name]


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

    if demo is not None:
        from frontdesk.demo import demo_clock, fill_demo

        clock, _note = demo_clock(settings, demo.fresh)
        services = Services.open(settings, clock)
        if demo.fresh:
            fill_demo(services, days=30)
            demo.filled()
    else:
        services = Services.open(settings)
    try:
        services.kiosk.account(name)  # refuses a person's name before the screen opens
        KioskApp(services, settings, kiosk_name=name).run()
    finally:
        services.close()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import os
    import shlex

    from frontdesk.cli.board import board_server
    from frontdesk.tui.board.web import BoardServer, is_loopback

    class KioskServer(BoardServer):
        FULL_HEADING = "Please ask at the desk"
        FULL_MESSAGE = (
            "The kiosk is already open on {screens}. This page tries again every 30 seconds."
        )

    checked = board_server(settings, args.host, args.port, args.max_kiosks)  # checks the address
    os.environ["FRONTDESK_DB"] = settings.db_url  # the kiosk processes inherit it
    server = KioskServer(
        shlex.join(kiosk_command(settings, args.name)),
        max_boards=args.max_kiosks,
        host=checked.host,
        port=checked.port,
        title="frontdesk · kiosk",
    )
    if not is_loopback(args.host):
        print(
            f"frontdesk kiosk: warning: listening on {args.host}, so anyone on that network "
            "can take tickets here",
            file=sys.stderr,
        )
    print(
        f"frontdesk kiosk: open http://{args.host}:{args.port} in the tablet's browser "
        f"(at most {server.max_boards} at once; Ctrl+C stops)"
    )
    if settings.demo:
        from frontdesk.demo import demo_database

        with demo_database(settings.db_url) as demo:  # the demo lives while the server runs
            if demo.fresh:
                _fill_demo(settings)
                demo.filled()
            server.serve()
        return EXIT_OK
    server.serve()
    return EXIT_OK


def _fill_demo(settings: Settings) -> None:
    from frontdesk.demo import demo_clock, fill_demo
    from frontdesk.services import Services

    clock, _note = demo_clock(settings, True)
    services = Services.open(settings, clock)
    try:
        fill_demo(services, days=30)
    finally:
        services.close()
