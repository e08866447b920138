"""What the screens served to browsers share (``board``, ``kiosk``, ``feedback`` with
``--web``): their flags, the command textual-serve runs per browser, the address check
and the warning before serving."""

from __future__ import annotations

import argparse
import sys

from frontdesk.cli.common import CliError
from frontdesk.config import Settings


def add_web_flags(parser: argparse.ArgumentParser, what: str, port: int, example: str) -> None:
    """--web, --port and --host of a screen textual-serve can serve to browsers."""
    parser.add_argument(
        "--web", action="store_true", help=f"serve the {what} to a browser with textual-serve"
    )
    parser.add_argument(
        "--port", type=int, default=port, metavar="N", help=f"port for --web (default {port})"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDR",
        help=f"address for --web to listen on (default 127.0.0.1, this machine only{example})",
    )


def served_command(settings: Settings, *args: str, demo: bool = True) -> list[str]:
    """The command textual-serve runs per browser: frontdesk ``args`` on the same settings
    (``--demo`` too, with ``demo``). The database URL travels in FRONTDESK_DB (see
    :func:`check_address`), not on the command line, where a password would show in the
    process list and the server's log."""
    command = [sys.executable, "-m", "frontdesk"]
    if settings.config_path is not None:
        command += ["--config", str(settings.config_path)]
    if demo and settings.demo:
        command += ["--demo"]
    return [*command, *args]


def check_address(settings: Settings, host: str, port: int) -> None:
    """Refuse a --port or --host this machine cannot listen on; the processes textual-serve
    starts inherit the database URL."""
    import os
    import socket

    if not 1 <= port <= 65535:
        raise CliError("--port must be between 1 and 65535")
    if not host.strip():
        raise CliError("--host needs an address, e.g. 127.0.0.1")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise CliError(f"--host: {host!r} is not an address of this machine") from None
    os.environ["FRONTDESK_DB"] = settings.db_url


def announce(command: str, host: str, exposed: str, opening: str) -> None:
    """Before serving: a warning on stderr when others on the network can reach ``host``
    ("anyone on that network ``exposed``"), then where to open the screen."""
    from frontdesk.tui.board.web import is_loopback

    if not is_loopback(host):
        print(
            f"frontdesk {command}: warning: listening on {host}, so anyone on that "
            f"network {exposed}",
            file=sys.stderr,
        )
    print(f"frontdesk {command}: {opening}")
