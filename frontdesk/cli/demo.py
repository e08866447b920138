"""``frontdesk demo``: fill a database with realistic fictitious data."""

from __future__ import annotations

import argparse
from typing import Any

from frontdesk.cli.common import (
    EXIT_OK,
    CliError,
)
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="fill a database with realistic fictitious data",
        description="Fill an empty database with demo staff, visitors and "
        "days of activity. Example: frontdesk --db sqlite:///demo.sqlite3 demo",
    )
    demo.add_argument(
        "--db", dest="sub_db", metavar="URL", help="database URL (as the global --db)"
    )
    demo.add_argument(
        "--days",
        type=int,
        default=30,
        metavar="N",
        help="past days of activity to make (default 30)",
    )
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.demo.day import fill_on_demo_day

    if args.days < 0 or args.days > 3660:
        raise CliError("--days must be between 0 and 3660")
    print(fill_on_demo_day(settings, days=args.days))
    return EXIT_OK
