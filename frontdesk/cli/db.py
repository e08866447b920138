"""``frontdesk db``: database maintenance."""

from __future__ import annotations

import argparse
from typing import Any

from frontdesk.cli.common import EXIT_OK, command_group
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    db, db_sub = command_group(
        sub,
        "db",
        help="database maintenance",
        description="Database maintenance.",
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
