"""``frontdesk demo``: fill a database with realistic fictitious data."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import (
    EXIT_OK,
    CliError,
    open_services,
)
from frontdesk.config import Settings

if TYPE_CHECKING:
    pass


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
    from frontdesk.demo import fill_demo

    if args.days < 0 or args.days > 3660:
        raise CliError("--days must be between 0 and 3660")
    services = open_services(settings)
    try:
        summary = fill_demo(services, days=args.days)
    finally:
        services.close()
    print(summary)
    return EXIT_OK
