"""Command-line entry: flags and subcommands -> Settings -> Services -> App (or a command).

Global options come before a subcommand (``frontdesk --db URL staff list``) and every
subcommand honours them. Problems end with one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from frontdesk import __version__
from frontdesk.config import ConfigError, Settings, default_data_dir, load_settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """Ends the command with this message on stderr and exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"frontdesk: {message} (see frontdesk --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

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

    staff = sub.add_parser(
        "staff",
        help="add, list and deactivate staff accounts",
        description="Manage staff accounts. Example: frontdesk staff add "
        "--name 'Anne de Vries' --role desk",
    )
    staff_sub = staff.add_subparsers(
        dest="staff_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    add = staff_sub.add_parser(
        "add",
        help="add a staff member (PIN typed twice)",
        description="Add a staff member. The PIN is typed twice at the "
        "terminal, or read once from standard input with --pin-stdin.",
    )
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["lead", "desk", "intern"])
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    staff_sub.add_parser("list", help="list staff accounts", description="List staff accounts.")
    deactivate = staff_sub.add_parser(
        "deactivate",
        help="deactivate a staff account",
        description="Deactivate a staff account (kept for the "
        "audit log). Example: frontdesk staff deactivate --name Bo",
    )
    deactivate.add_argument("--name", required=True)

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(
        dest="db_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    db_sub.add_parser(
        "upgrade",
        help="apply migrations",
        description="Apply the migrations (also done on every start).",
    )

    privacy = sub.add_parser(
        "privacy",
        help="retention, access and erasure requests",
        description="Privacy duties of the team lead. Examples: frontdesk privacy purge "
        "--dry-run | frontdesk privacy export --visitor 42 --output ~/exports | "
        "frontdesk privacy erase --visitor 42 --reason 'asked by e-mail'",
    )
    privacy_sub = privacy.add_subparsers(
        dest="privacy_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    purge = privacy_sub.add_parser(
        "purge",
        help="anonymise visitors with no activity in the retention period",
        description="Anonymise visitors whose latest activity is older than the period: "
        "names, contact details, date of birth, notes and BSN go; nationality, category, "
        "municipality and the visit figures stay.",
    )
    purge.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="the retention period in days (default: retention_days from the config)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="say what would change; change nothing"
    )
    export = privacy_sub.add_parser(
        "export",
        help="access request: everything held about one visitor",
        description="Write everything held about one visitor as JSON and Markdown.",
    )
    export.add_argument("--visitor", type=int, required=True, metavar="ID")
    export.add_argument("--output", required=True, metavar="DIR", help="an existing folder")
    erase = privacy_sub.add_parser(
        "erase",
        help="erasure request: anonymise one visitor now",
        description="Anonymise one visitor now (refused while a legal duty applies).",
    )
    erase.add_argument("--visitor", type=int, required=True, metavar="ID")
    erase.add_argument("--reason", required=True, help="why (goes into the audit log)")

    backup = sub.add_parser(
        "backup",
        help="copy the SQLite database while desks keep working, or check a copy",
        description="Make a consistent copy of the SQLite database (desks may keep "
        "working), or check one with --verify. PostgreSQL: use pg_dump (see README). "
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

    config = sub.add_parser("config", help="configuration file", description="Configuration.")
    config_sub = config.add_subparsers(
        dest="config_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    config_sub.add_parser(
        "path",
        help="print where the config file is",
        description="Print where the config file is read from.",
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    db = getattr(args, "sub_db", None) or args.db
    if args.demo and not db:
        db = f"sqlite:///{default_data_dir() / 'demo.sqlite3'}"
    return load_settings(
        config_path=args.config, db_url=db, desk=args.desk, staff=args.staff, demo=args.demo or None
    )


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from frontdesk.services import Services

    return Services.open(settings)


def _ask_pin() -> tuple[str, str]:
    if not sys.stdin.isatty():
        raise CliError("no terminal to type the PIN in; use --pin-stdin")
    return getpass.getpass("PIN: "), getpass.getpass("PIN again: ")


def cmd_staff(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR

    services = _open(settings)
    try:
        if args.staff_command == "list":
            staff = services.staff.list(CLI_ACTOR)
            if not staff:
                print("no staff yet: start frontdesk to create the team-lead account")
            for person in staff:
                state = "" if person.active else "  (deactivated)"
                print(f"{person.name}\t{person.role}{state}")
            return EXIT_OK
        if args.staff_command == "add":
            if args.pin_stdin:
                pin = sys.stdin.readline().strip()
                repeat = pin
            else:
                pin, repeat = _ask_pin()
            try:
                info = services.staff.add(CLI_ACTOR, args.name, args.role, pin, repeat)
            except FrontdeskError as exc:
                raise CliError(exc.message) from None
            print(f"added {info.name} ({info.role})")
            return EXIT_OK
        if args.staff_command == "deactivate":
            try:
                person = services.staff.find_by_name(args.name)
                if person is None:
                    raise CliError(f"no staff member is called {args.name!r}")
                info = services.staff.deactivate(CLI_ACTOR, person.id)
            except FrontdeskError as exc:
                raise CliError(exc.message) from None
            print(f"deactivated {info.name}")
            return EXIT_OK
    finally:
        services.close()
    return EXIT_USAGE


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.demo import fill_demo

    if args.days < 0 or args.days > 3660:
        raise CliError("--days must be between 0 and 3660")
    services = _open(settings)
    try:
        summary = fill_demo(services, days=args.days)
    finally:
        services.close()
    print(summary)
    return EXIT_OK


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


def cmd_privacy(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR

    services = _open(settings)
    try:
        privacy = services.privacy
        if args.privacy_command == "purge":
            report = privacy.purge(CLI_ACTOR, older_than_days=args.older_than, dry_run=args.dry_run)
            print(report.summary())
            for holder, count in sorted(report.rows.items()):
                if count:
                    print(f"  {holder}: {count} row(s) cleared")
            return EXIT_OK
        if args.privacy_command == "export":
            files = privacy.export(CLI_ACTOR, args.visitor, args.output)
            print(f"wrote {files.json_path}\nwrote {files.markdown_path}")
            return EXIT_OK
        if args.privacy_command == "erase":
            privacy.erase(CLI_ACTOR, args.visitor, args.reason)
            print(f"visitor {args.visitor} anonymised")
            return EXIT_OK
    except FrontdeskError as exc:
        raise CliError(exc.message) from None
    finally:
        services.close()
    return EXIT_USAGE


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


def run_app(settings: Settings) -> int:
    from frontdesk.services.demo import DEMO_PINS, fill_demo, reset_demo_database
    from frontdesk.tui.app import FrontdeskApp

    if settings.demo:
        reset_demo_database(settings.db_url)
    services = _open(settings)
    try:
        if settings.demo:
            fill_demo(services, days=30)
        app = FrontdeskApp(services, settings, demo_pins=DEMO_PINS if settings.demo else None)
        app.run()
    finally:
        services.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "staff": cmd_staff,
    "demo": cmd_demo,
    "db": cmd_db,
    "privacy": cmd_privacy,
    "backup": cmd_backup,
    "restore": cmd_restore,
}


def main(argv: Sequence[str] | None = None) -> int:
    from frontdesk.db import DatabaseError
    from frontdesk.services.errors import FrontdeskError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "config":
            from frontdesk.config import default_config_path

            print(args.config or default_config_path())
            return EXIT_OK
        settings = _settings(args)
        if args.command is None:
            return run_app(settings)
        return COMMANDS[args.command](args, settings)
    except (CliError, ConfigError, DatabaseError) as exc:
        print(f"frontdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FrontdeskError as exc:
        print(f"frontdesk: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("frontdesk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
