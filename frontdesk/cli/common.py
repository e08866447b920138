"""What every command shares: exit statuses, the one-line error, argument types, the
parser class, opening the services, and where an export goes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from frontdesk.config import Settings

if TYPE_CHECKING:
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


def open_services(settings: Settings) -> Services:
    from frontdesk.services import Services

    return Services.open(settings)
