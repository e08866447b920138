"""Printed tickets: python-escpos's Dummy printer gets the number; a failing printer never
stops issuing; the [printer] settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from escpos.printer import Dummy

from frontdesk.config import ConfigError, PrinterSettings, load_settings
from frontdesk.services.printing import TicketSlip, print_ticket, render

SLIP = TicketSlip(
    centre="Leiden International Centre",
    label="A007",
    service="Information & advice",
    at=datetime(2026, 11, 23, 15, 30),
    wait_minutes=12,
    language="nl",
)
NETWORK = PrinterSettings("network", "192.0.2.10")


def test_the_ticket_holds_the_number_in_the_chosen_language() -> None:
    printer = Dummy()
    render(printer, SLIP)
    data = printer.output
    assert b"A007" in data
    assert b"Leiden International Centre" in data
    assert b"Information & advice" in data
    assert b"23-11-2026 15:30" in data
    assert b"Verwachte wachttijd: ongeveer 12 min" in data
    assert data.rstrip().endswith(b"V\x00")  # cut


def test_print_ticket_opens_the_configured_printer() -> None:
    printer = Dummy()
    opened: list[PrinterSettings] = []

    def opener(settings: PrinterSettings) -> Any:
        opened.append(settings)
        return printer

    assert print_ticket(NETWORK, SLIP, opener) is True
    assert opened == [NETWORK] and b"A007" in printer.output


class OutOfPaper(Dummy):  # type: ignore[misc]
    def text(self, txt: str) -> None:
        raise OSError("out of paper")


def test_a_failing_printer_returns_false_and_never_raises() -> None:
    assert print_ticket(NETWORK, SLIP, lambda settings: OutOfPaper()) is False

    def unplugged(settings: PrinterSettings) -> Any:
        raise OSError("no such device")

    assert print_ticket(NETWORK, SLIP, unplugged) is False


def test_no_printer_configured_prints_nothing() -> None:
    def never(settings: PrinterSettings) -> Any:
        raise AssertionError("no printer should be opened")

    assert print_ticket(PrinterSettings(), SLIP, never) is None


def test_a_file_printer_writes_the_ticket(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    assert print_ticket(PrinterSettings("file", str(target)), SLIP) is True
    assert b"A007" in target.read_bytes()


def test_printer_settings_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[printer]\nkind = "usb"\naddress = "04b8:0202"\ncentre = "LIC"\n')
    settings = load_settings(config_path=config, environ={})
    assert settings.printer == PrinterSettings("usb", "04b8:0202", "LIC")
    for bad, words in (
        ('[printer]\nkind = "fax"\n', "printer.kind must be one of"),
        ('[printer]\nkind = "network"\n', "printer.address is needed"),
        ('[printer]\ncolour = "red"\n', "knows kind, address and centre"),
    ):
        config.write_text(bad)
        with pytest.raises(ConfigError, match=words):
            load_settings(config_path=config, environ={})
