"""``frontdesk report``: the day report or a period report as CSV, XLSX or Markdown."""

from __future__ import annotations

import argparse
import sys
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
    report, report_sub = command_group(
        sub,
        "report",
        help="export the day report or a period report (CSV, XLSX, Markdown)",
        description="Export reports. Examples: frontdesk report day --date 2026-11-23 "
        "--format md | frontdesk report period --from 2026-10-01 --to 2026-12-31 "
        "--format xlsx --output q4.xlsx",
        metavar="KIND",
    )
    day = report_sub.add_parser(
        "day",
        help="one day: waits, service times, per desk, per hour, contacts",
        description="One day's report (default: today). Aggregated: no personal data "
        "unless --with-names is given.",
    )
    day.add_argument("--date", metavar="D", help="the day, e.g. 2026-11-23 (default today)")
    day.add_argument(
        "--with-names",
        action="store_true",
        help="add the ticket list with visitor and staff names (audited; never BSNs)",
    )
    period = report_sub.add_parser(
        "period",
        help="a week, month, quarter, year or any range, against the period before",
        description="A period report: visits, contacts by channel, categories, top 10 "
        "nationalities, waits and no-shows per service.",
    )
    period.add_argument("--from", dest="start", metavar="D", help="first day, e.g. 2026-10-01")
    period.add_argument("--to", dest="end", metavar="D", help="last day, e.g. 2026-12-31")
    period.add_argument(
        "--preset",
        choices=["week", "month", "quarter", "year"],
        help="this week, month, quarter or year instead of --from/--to",
    )
    for kind in (day, period):
        kind.add_argument(
            "--format", choices=["csv", "xlsx", "md"], default="csv", help="default csv"
        )
        add_delimiter_flag(kind)
        kind.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help="write to this file (default: standard output; xlsx needs a file)",
        )
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.auth import CLI_ACTOR
    from frontdesk.services.fields import parse_date
    from frontdesk.services.reports import check_period

    if args.format == "xlsx" and args.output is None:
        raise CliError("an xlsx report needs --output FILE")
    if args.report_command == "day":
        day = parse_date(args.date, "date", "The --date")
    elif args.preset:
        if args.start or args.end:
            raise CliError("give either --preset or --from and --to, not both")
    else:
        first = parse_date(args.start, "start", "--from")
        last = parse_date(args.end, "end", "--to")
        if first is None or last is None:
            raise CliError("give --from and --to (e.g. 2026-10-01), or --preset")
        chosen = check_period(first, last)
    output = check_output(args.output)
    to = output or to_stdout()
    with exporting(settings, output) as services:
        reports = services.reports
        if args.report_command == "day":
            reports.export_day(
                CLI_ACTOR,
                day or services.clock.today(),
                args.format,
                with_names=args.with_names,
                to=to,
            )
        else:
            if args.preset:
                chosen = reports.preset(args.preset)
            reports.export_period(CLI_ACTOR, chosen, args.format, to=to)
    if output is not None:
        print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK
