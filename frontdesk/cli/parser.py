"""The command line's parser: the global options, then each command area adds its own."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk import __version__
from frontdesk.cli.common import (
    Parser,
)

if TYPE_CHECKING:
    pass
from frontdesk.cli import (
    appointments,
    backup,
    board,
    config,
    db,
    demo,
    imports,
    packs,
    privacy,
    referrals,
    reports,
    staff,
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="frontdesk",
        description="Keyboard-first front desk for an International Centre.",
        epilog="Examples: frontdesk --demo | frontdesk --desk 2 --staff 'Anne' | "
        "frontdesk --db postgresql+psycopg://desk@server/frontdesk staff list",
    )
    parser.add_argument("--version", action="version", version=f"frontdesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: a SQLite file in the user data folder; env FRONTDESK_DB)",
    )
    parser.add_argument(
        "--desk", type=int, metavar="N", help="this desk's number (env FRONTDESK_DESK)"
    )
    parser.add_argument(
        "--staff",
        metavar="NAME",
        help="preselect this staff member on the login screen (env FRONTDESK_STAFF)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="open a fresh demo database filled with fictitious data"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="the config file (default: see 'frontdesk config path')",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    for area in (
        demo,
        staff,
        reports,
        db,
        imports,
        referrals,
        packs,
        board,
        appointments,
        privacy,
        backup,
        config,
    ):
        area.add_parser(sub)
    return parser
