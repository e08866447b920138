"""Command-line entry: flags and subcommands -> Settings -> Services -> App (or a command).

Global options come before a subcommand (``frontdesk --db URL staff list``) and every
subcommand honours them. Problems end with one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from frontdesk.cli.board import board_command, board_server
from frontdesk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CliError,
    demo_services,
    open_services,
)
from frontdesk.cli.parser import build_parser
from frontdesk.config import ConfigError, Settings, default_data_dir, load_settings

if TYPE_CHECKING:
    from frontdesk.demo import DemoStart


def _settings(args: argparse.Namespace) -> Settings:
    db = getattr(args, "sub_db", None) or args.db
    if args.demo and not db:
        db = f"sqlite:///{default_data_dir() / 'demo.sqlite3'}"
    return load_settings(
        config_path=args.config,
        db_url=db,
        desk=args.desk,
        staff=args.staff,
        demo=args.demo or None,
        csv_delimiter=getattr(args, "csv_delimiter", None),
    )


def run_app(settings: Settings) -> int:
    if settings.demo:
        from frontdesk.demo import demo_database

        with demo_database(settings.db_url) as demo:
            if not demo.fresh:
                print(
                    "Another frontdesk --demo is running: this one joins its demo database "
                    f"(desk {settings.desk}).",
                    file=sys.stderr,
                )
            return _run_app(settings, demo)
    return _run_app(settings, None)


def _run_app(settings: Settings, demo: DemoStart | None) -> int:
    from frontdesk.tui.app import FrontdeskApp

    if demo is None:  # the login screen is painted while the database opens (tui/app.py)
        app = FrontdeskApp(lambda: open_services(settings), settings)
        try:
            app.run()
        finally:
            if app.opened:
                app.services.close()
        if app.open_error is not None:
            raise app.open_error
        return EXIT_OK
    from frontdesk.demo import DEMO_PINS

    # Closed today (a Sunday, before opening): the demo lives the last opening day.
    services, note = demo_services(settings, demo)
    pins = dict(DEMO_PINS) | ({"Demo day": note} if note else {})
    try:
        app = FrontdeskApp(services, settings, demo_pins=pins)
        app.run()
    finally:
        services.close()
    return EXIT_OK


def database_problem(exc: BaseException) -> str | None:
    """A database failure in words that name its cause (never the row's values), or None
    when ``exc`` is not one."""
    from sqlalchemy.exc import DataError, OperationalError, ProgrammingError

    if isinstance(exc, DataError) and "out of range" in str(exc.orig).lower():
        return "a number given is larger than the database can hold; nothing was changed"
    if not isinstance(exc, (OperationalError, ProgrammingError)):
        return None
    orig = getattr(exc, "orig", None) or exc
    text = f"{type(orig).__name__} {str(orig).splitlines()[0] if str(orig) else ''}".lower()
    if "no such table" in text or "undefinedtable" in text or "no such column" in text:
        return (
            "this is not a complete frontdesk database (a table or column is missing); "
            "check --db, or restore a backup; nothing was changed"
        )
    if "file is not a database" in text:
        return "this file is not a database; check --db; nothing was changed"
    if "disk is full" in text or "disk full" in text or "no space left" in text:
        return "the disk is full; nothing was changed. Free some space and try again."
    if "readonly" in text or "read-only" in text:
        return "the database is read-only here (check the file's permissions); nothing was changed"
    if "unable to open database file" in text:
        return "the database file cannot be opened (check its folder and permissions)"
    if isinstance(exc, ProgrammingError):
        return None
    return (
        "the database did not answer; nothing was changed. Try again, "
        "or check that the database server is running."
    )


def main(argv: Sequence[str] | None = None) -> int:
    from frontdesk.services.errors import FrontdeskError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        before_settings = getattr(args, "before_settings", None)
        if before_settings is not None:
            return int(before_settings(args))
        settings = _settings(args)
        if args.command is None:
            return run_app(settings)
        return int(args.handler(args, settings))
    except (CliError, ConfigError) as exc:
        print(f"frontdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FrontdeskError as exc:
        print(f"frontdesk: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("frontdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # (frontdesk.db, and SQLAlchemy with it, is imported here only: the app's start
        # paints its login screen before importing them.)
        from frontdesk.db import DatabaseError

        if isinstance(exc, DatabaseError):
            print(f"frontdesk: {exc}", file=sys.stderr)
            return EXIT_USAGE
        # No traceback at a desk: one line, the kind of failure only (a database message
        # can carry the values of a row), and a status that scripts can tell apart.
        problem = database_problem(exc)
        if problem is not None:
            print(f"frontdesk: {problem}", file=sys.stderr)
            return EXIT_USAGE
        print(
            f"frontdesk: this command failed unexpectedly ({type(exc).__name__}); nothing "
            "was changed. Please report it to whoever maintains frontdesk.",
            file=sys.stderr,
        )
        return EXIT_FAILED


__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "CliError",
    "board_command",
    "board_server",
    "build_parser",
    "database_problem",
    "main",
    "run_app",
]
