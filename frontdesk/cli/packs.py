"""``frontdesk packs``: welcome-pack stock and the per-period report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from frontdesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    check_output,
    command_group,
    exporting,
    opened,
    to_stdout,
)
from frontdesk.cli.delimiter import add_delimiter_flag
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    packs, packs_sub = command_group(
        sub,
        "packs",
        help="welcome-pack stock and the per-period report",
        description="Welcome-pack stock. Example: frontdesk packs export --period month "
        "--output packs.csv",
    )
    packs_sub.add_parser(
        "list",
        help="list pack kinds with their stock",
        description="List pack kinds with stock and threshold; LOW marks those to reorder.",
    )
    packs_export = packs_sub.add_parser(
        "export",
        help="received, corrected and handed-out packs per period, as CSV",
        description="Write received, corrected and handed-out packs per kind per day, "
        "week or month (the last year) as CSV, to a file or to standard output.",
    )
    packs_export.add_argument(
        "--period", choices=["day", "week", "month"], default="week", help="default: week"
    )
    packs_export.add_argument(
        "--output", metavar="FILE", help="write to this file (default: standard output)"
    )
    add_delimiter_flag(packs_export)
    packs.set_defaults(handler=cmd_packs)


def cmd_packs(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.auth import CLI_ACTOR

    if args.packs_command == "export":
        output = check_output(Path(args.output)) if args.output else None
        with exporting(settings, output) as services:
            services.packs.export_csv(CLI_ACTOR, args.period, to=output or to_stdout())
        if output is not None:
            print(f"wrote {output}", file=sys.stderr)
        return EXIT_OK
    with opened(settings) as services:
        if args.packs_command == "list":
            kinds = services.packs.kinds(CLI_ACTOR, include_inactive=True)
            if not kinds:
                print("no pack kinds yet: the team lead adds them on the Welcome packs screen")
            for kind in kinds:
                flags = ("  LOW" if kind.low else "") + ("" if kind.active else "  (inactive)")
                print(
                    f"{kind.code}\t{kind.name}\t{kind.stock}\t(threshold {kind.threshold}){flags}"
                )
            return EXIT_OK
    return EXIT_USAGE
