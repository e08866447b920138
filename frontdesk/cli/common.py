"""What every command shares: exit statuses, the one-line error, argument types, the
parser class, opening the services (also on the demo), and where an export goes."""

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
    sub: Any, name: str, *, help: str, description: str, metavar: str = "ACTION"
) -> tuple[argparse.ArgumentParser, Any]:
    """A command with actions of its own (``frontdesk staff add``): its parser, and the
    subparsers its actions are added to (one of them is required); the action chosen is
    ``args.<name>_command`` (``args.staff_command``)."""
    parser = sub.add_parser(name, help=help, description=description)
    actions = parser.add_subparsers(
        dest=f"{name}_command", metavar=metavar, required=True, parser_class=Parser
    )
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
