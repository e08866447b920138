"""Printed tickets: the number, large, on a receipt printer (python-escpos).

The kiosk and the desk's F2 print a ticket after it is issued, in the language the visitor
chose (texts from ``frontdesk/locales/kiosk``): the centre's name, the number large, the
service, the time and the estimated wait. Printing never blocks issuing: a printer that is
off, unplugged or out of paper makes :func:`print_ticket` return False (the screen says
the print failed; the number stands), and nothing about the visitor is logged.

``[printer]`` in the config file chooses the printer (config.PrinterSettings): ``usb``
("04b8:0202", the vendor and product id), ``network`` ("192.168.1.50" or "host:9100") or
``file`` (a device such as /dev/usb/lp0, or a plain file for a try-out).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.clock import Clock
from frontdesk.config import PrinterSettings, Settings
from frontdesk.i18n import text
from frontdesk.services.queue import TicketInfo

log = logging.getLogger(__name__)
NETWORK_TIMEOUT = 3  # seconds: a printer that does not answer must not hold the kiosk


@dataclass(frozen=True)
class TicketSlip:
    """What goes on the paper (no name, no personal data)."""

    centre: str
    label: str
    service: str
    at: datetime  # local time
    wait_minutes: int | None
    language: str | None = None


def open_printer(settings: PrinterSettings) -> Any:
    """The python-escpos printer ``settings`` name (raises when it cannot be opened)."""
    from escpos import printer

    if settings.kind == "usb":
        vendor, _, product = settings.address.partition(":")
        return printer.Usb(int(vendor, 16), int(product, 16))
    if settings.kind == "network":
        host, _, port = settings.address.partition(":")
        return printer.Network(host, int(port or 9100), timeout=NETWORK_TIMEOUT)
    if settings.kind == "file":
        return printer.File(settings.address)
    raise ValueError(f"no printer of kind {settings.kind!r}")


def render(printer: Any, slip: TicketSlip) -> None:
    """Write the ticket to an open escpos printer (a Dummy in the tests)."""
    lang = slip.language

    def say(key: str, **values: object) -> str:
        return text("kiosk", lang, key, **values)

    printer.set(align="center", bold=True)
    printer.text(f"{slip.centre}\n")
    printer.set(align="center")
    printer.text(f"{say('your_number')}\n")
    printer.set(align="center", bold=True, custom_size=True, width=4, height=4)
    printer.text(f"{slip.label}\n")
    printer.set(align="center", normal_textsize=True)
    printer.text(f"{slip.service}\n")
    printer.text(say("print_time", time=f"{slip.at:%d-%m-%Y %H:%M}") + "\n")
    if slip.wait_minutes is not None:
        if slip.wait_minutes <= 0:
            printer.text(say("print_no_wait") + "\n")
        else:
            printer.text(say("print_wait", minutes=slip.wait_minutes) + "\n")
    printer.text(say("print_keep") + "\n")
    printer.cut()


def print_issued(
    settings: Settings, clock: Clock, ticket: TicketInfo, wait_minutes: int | None
) -> bool | None:
    """Print a ticket the desk just issued (F2), as :func:`print_ticket` does."""
    slip = TicketSlip(
        centre=settings.printer.centre,
        label=ticket.label,
        service=ticket.service_name,
        at=clock.to_local(ticket.arrived_at),
        wait_minutes=wait_minutes,
        language=ticket.language,
    )
    return print_ticket(settings.printer, slip)


def print_ticket(
    settings: PrinterSettings,
    slip: TicketSlip,
    opener: Callable[[PrinterSettings], Any] = open_printer,
) -> bool | None:
    """Print ``slip``; True when printed, False when the printer failed, None when no
    printer is configured. Never raises: issuing the ticket has happened already."""
    if settings.kind == "none":
        return None
    printer = None
    try:
        printer = opener(settings)
        render(printer, slip)
        return True
    except Exception as exc:  # off, unplugged, out of paper, no permission...
        log.warning("the ticket could not be printed (%s)", type(exc).__name__)
        return False
    finally:
        if printer is not None:
            with contextlib.suppress(Exception):  # a failed printer may fail to close too
                printer.close()
