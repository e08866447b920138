"""``frontdesk backup`` and ``frontdesk restore``: the SQLite database's copies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    CliError,
)
from frontdesk.config import Settings

if TYPE_CHECKING:
    pass


def add_parser(sub: Any) -> None:
    backup = sub.add_parser(
        "backup",
        help="copy the SQLite database while desks keep working, or check a copy",
        description="Make a consistent copy of the SQLite database (desks may keep "
        "working), or check one with --verify. PostgreSQL: use pg_dump "
        "(see docs/postgresql-and-operations.md). "
        "Examples: frontdesk backup ~/backups/frontdesk-2026-11-23.sqlite3 | "
        "frontdesk backup --verify ~/backups/frontdesk-2026-11-23.sqlite3",
    )
    backup.add_argument("file", metavar="FILE", type=Path)
    backup.add_argument(
        "--verify", action="store_true", help="check FILE instead of making a backup"
    )
    restore = sub.add_parser(
        "restore",
        help="put a backup back in place of the SQLite database",
        description="Replace the SQLite database with a checked backup. The current "
        "database is kept as DATABASE.before-restore. PostgreSQL: use pg_restore.",
    )
    restore.add_argument("file", metavar="FILE", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    backup.set_defaults(handler=cmd_backup)
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.db.backup import backup, verify

    if args.verify:
        check = verify(args.file)
        print(check.describe())
        return EXIT_OK if check.ok else EXIT_REJECTED
    check = backup(settings.db_url, args.file)
    print(f"backup written: {check.describe()}")
    return EXIT_OK if check.ok else EXIT_REJECTED


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.db.backup import restore, sqlite_path, verify

    live = sqlite_path(settings.db_url)
    check = verify(args.file)
    if not check.ok:
        raise CliError(f"{check.path} cannot be restored: " + "; ".join(check.problems()))
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("no terminal to confirm at; add --yes to restore without asking")
        print(check.describe())
        answer = input(f"Replace the database {live} with this backup? Type yes: ")
        if answer.strip().lower() != "yes":
            print("nothing was changed")
            return EXIT_REJECTED
    kept = restore(settings.db_url, args.file)
    print(f"restored {check.path} into {live}; the previous database is kept as {kept}")
    return EXIT_OK
