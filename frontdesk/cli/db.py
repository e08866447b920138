"""``frontdesk db``: database maintenance."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import (
    EXIT_OK,
    Parser,
)
from frontdesk.config import Settings

if TYPE_CHECKING:
    pass


def add_parser(sub: Any) -> None:
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(
        dest="db_command", metavar="ACTION", required=True, parser_class=Parser
    )
    db_sub.add_parser(
        "upgrade",
        help="apply migrations",
        description="Apply the migrations (also done on every start).",
    )
    db.set_defaults(handler=cmd_db)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.db import Database
    from frontdesk.db.migrate import upgrade

    db = Database(settings.db_url)
    try:
        changed = upgrade(db)
    finally:
        db.dispose()
    print("database upgraded" if changed else "database already up to date")
    return EXIT_OK
