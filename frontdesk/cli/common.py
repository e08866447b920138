"""What every command shares: exit statuses, the one-line error, argument types, the
parser class, opening the services (also on the demo), where an export goes, and serving
a screen to browsers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from frontdesk.config import Settings

if TYPE_CHECKING:
    from frontdesk.demo.start import DemoStart
    from frontdesk.services import Services

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class CliError(Exception):
    """Ends the command with this message on stderr and exit status 2."""


MAX_ID = 2**63 - 1  # the largest id either database stores


def int_in(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse type: a whole number in low..high, else one clear line and exit 2."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"give {what}, e.g. {low}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    parse.__name__ = "number"
    return parse


visitor_id = int_in(1, MAX_ID, "a visitor number")


def to_stdout(encoding: str = "utf-8") -> Callable[[bytes], None]:
    """An export's target for the terminal (standard output)."""

    def write(data: bytes) -> None:
        sys.stdout.write(data.decode(encoding))
        sys.stdout.flush()

    return write


def export_error(output: Path | None, exc: Exception) -> CliError:
    message = getattr(exc, "message", str(exc))
    if getattr(exc, "field", None) not in ("path", "directory"):
        return CliError(message)  # not about where the file goes
    return CliError(f"{'--output' if output is not None else 'standard output'}: {message}")


def check_output(output: Path | None) -> Path | None:
    """Refuse an --output that cannot be written before anything is made (or audited)."""
    from frontdesk.services import FrontdeskError
    from frontdesk.services.exports import check_target

    if output is None:
        return None
    try:
        return check_target(output)
    except FrontdeskError as exc:
        raise export_error(output, exc) from None


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"frontdesk: {message} (see frontdesk --help)\n")


def command_group(
    sub: Any, name: str, *, help: str, description: str, dest: str, metavar: str = "ACTION"
) -> tuple[argparse.ArgumentParser, Any]:
    """A command with actions of its own (``frontdesk staff add``): its parser, and the
    subparsers its actions are added to (one of them is required)."""
    parser = sub.add_parser(name, help=help, description=description)
    actions = parser.add_subparsers(dest=dest, metavar=metavar, required=True, parser_class=Parser)
    return parser, actions


def open_services(settings: Settings) -> Services:
    from frontdesk.services import Services

    return Services.open(settings)


@contextmanager
def opened(settings: Settings) -> Iterator[Services]:
    """The services for one command, closed when it ends, whatever happens."""
    services = open_services(settings)
    try:
        yield services
    finally:
        services.close()


@contextmanager
def exporting(settings: Settings, output: Path | None) -> Iterator[Services]:
    """The services for an export to ``output`` (None: standard output), closed after it;
    a refusal ends the command with one line that says where the file was to go."""
    from frontdesk.services import FrontdeskError

    with opened(settings) as services:
        try:
            yield services
        except FrontdeskError as exc:
            raise export_error(output, exc) from None


def demo_services(settings: Settings, demo: DemoStart) -> tuple[Services, str]:
    """The services of a ``--demo`` run on the demo's clock, and the note about its day.
    The run that starts the demo fills it; one that joins it finds it filled."""
    from frontdesk.demo import demo_clock, fill_demo
    from frontdesk.services import Services

    clock, note = demo_clock(settings, demo.fresh)
    services = Services.open(settings, clock)
    if demo.fresh:
        try:
            fill_demo(services, days=30)
        except BaseException:
            services.close()
            raise
        demo.filled()
    return services, note


# -- the screens served to browsers (board, kiosk, rating tablet) -----------------------


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
