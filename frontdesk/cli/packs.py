"""``frontdesk packs``: welcome-pack stock and the per-period report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    check_output,
    export_error,
    open_services,
    to_stdout,
)
from frontdesk.config import Settings

if TYPE_CHECKING:
    pass


def add_parser(sub: Any) -> None:
    packs = sub.add_parser(
        "packs",
        help="welcome-pack stock and the per-period report",
        description="Welcome-pack stock. Example: frontdesk packs export --period month "
        "--output packs.csv",
    )
    packs_sub = packs.add_subparsers(
        dest="packs_command", metavar="ACTION", required=True, parser_class=Parser
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
    packs.set_defaults(handler=cmd_packs)


def cmd_packs(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR

    output = check_output(Path(args.output)) if getattr(args, "output", None) else None
    services = open_services(settings)
    try:
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
        if args.packs_command == "export":
            try:
                services.packs.export_csv(CLI_ACTOR, args.period, to=output or to_stdout())
            except FrontdeskError as exc:
                raise export_error(output, exc) from None
            if output is not None:
                print(f"wrote {output}", file=sys.stderr)
            return EXIT_OK
    finally:
        services.close()
    return EXIT_USAGE
