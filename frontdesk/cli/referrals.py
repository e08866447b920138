"""``frontdesk referrals``: the referral report per partner."""

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
    to_stdout,
)
from frontdesk.cli.delimiter import add_delimiter_flag
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    referrals, referrals_sub = command_group(
        sub,
        "referrals",
        help="referral reports",
        description="Referral reports. Example: frontdesk referrals report "
        "--from 2026-10-01 --to 2026-12-31 --format xlsx --output q4.xlsx",
    )
    report = referrals_sub.add_parser(
        "report",
        help="referrals per partner for a period",
        description="Per partner: referrals made, accepted, declined, outcomes, median days "
        "to outcome, for referrals made in the period (both days included).",
    )
    report.add_argument("--from", dest="start", required=True, metavar="DATE")
    report.add_argument("--to", dest="end", required=True, metavar="DATE")
    report.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    add_delimiter_flag(report)
    report.add_argument(
        "--output", metavar="FILE", type=Path, help="write here (default: CSV to the terminal)"
    )
    referrals.set_defaults(handler=cmd_referrals)


def cmd_referrals(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.auth import CLI_ACTOR
    from frontdesk.services.fields import parse_date

    start = parse_date(args.start, "from", "--from")
    end = parse_date(args.end, "to", "--to")
    if start is None or end is None:
        raise CliError("give both --from and --to, e.g. --from 2026-10-01 --to 2026-12-31")
    if args.format == "xlsx" and args.output is None:
        raise CliError("an XLSX report needs --output FILE")
    output = check_output(args.output)
    with exporting(settings, output) as services:
        services.referrals.export_report(
            CLI_ACTOR, start, end, args.format, to=output or to_stdout("utf-8-sig")
        )
    if output is not None:
        print(f"wrote {output}")
    return EXIT_OK
