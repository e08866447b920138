"""``frontdesk appointments``: the quarterly employer invoice list."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from frontdesk.cli.common import (
    EXIT_OK,
    CliError,
    check_output,
    command_group,
    exporting,
)
from frontdesk.cli.delimiter import add_delimiter_flag
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    appointments, ap_sub = command_group(
        sub,
        "appointments",
        help="BSN appointments",
        description="BSN appointments.",
    )
    invoices = ap_sub.add_parser(
        "invoices",
        help="the quarterly employer invoice list (CSV or XLSX)",
        description="Write the persons registered per employer in a quarter, with fees "
        "(exempt employers at zero); never a BSN. Example: frontdesk appointments "
        "invoices --quarter 2026Q4 --format xlsx --output q4.xlsx",
    )
    invoices.add_argument("--quarter", required=True, metavar="YYYYQN")
    invoices.add_argument("--format", choices=["csv", "xlsx"], default=None)
    add_delimiter_flag(invoices)
    invoices.add_argument("--output", required=True, type=Path, metavar="FILE")
    appointments.set_defaults(handler=cmd_appointments)


def cmd_appointments(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.appointments import parse_quarter
    from frontdesk.services.auth import CLI_ACTOR

    fmt = args.format or ("xlsx" if args.output.suffix.lower() == ".xlsx" else "csv")
    try:
        parse_quarter(args.quarter)
    except FrontdeskError as exc:
        raise CliError(f"--quarter: {exc.message}") from None
    output = check_output(args.output)
    assert output is not None
    with exporting(settings, output) as services:
        done = services.appointments.export_invoices(CLI_ACTOR, args.quarter, fmt, output)
    print(f"wrote {output}: {done.persons} persons, {done.employers} employers")
    return EXIT_OK
