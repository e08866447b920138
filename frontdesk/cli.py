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
from typing import TYPE_CHECKING, Any, NoReturn

from frontdesk import __version__
from frontdesk.config import ConfigError, Settings, default_data_dir, load_settings

if TYPE_CHECKING:
    from frontdesk.services import Services
    from frontdesk.services.demo import DemoStart
    from frontdesk.tui.board_web import BoardServer

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class CliError(Exception):
    """Ends the command with this message on stderr and exit status 2."""


MAX_ID = 2**63 - 1  # the largest id either database stores


def _int_in(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse type: a whole number in low..high, else one clear line and exit 2."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"give {what}, e.g. {low}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    parse.__name__ = "number"
    return parse


visitor_id = _int_in(1, MAX_ID, "a visitor number")


def _stdout(encoding: str = "utf-8") -> Callable[[bytes], None]:
    """An export's target for the terminal (standard output)."""

    def write(data: bytes) -> None:
        sys.stdout.write(data.decode(encoding))
        sys.stdout.flush()

    return write


def _export_error(output: Path | None, exc: Exception) -> CliError:
    message = getattr(exc, "message", str(exc))
    if getattr(exc, "field", None) not in ("path", "directory"):
        return CliError(message)  # not about where the file goes
    return CliError(f"{'--output' if output is not None else 'standard output'}: {message}")


def _check_output(output: Path | None) -> Path | None:
    """Refuse an --output that cannot be written before anything is made (or audited)."""
    from frontdesk.services import FrontdeskError
    from frontdesk.services.exports import check_target

    if output is None:
        return None
    try:
        return check_target(output)
    except FrontdeskError as exc:
        raise _export_error(output, exc) from None


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

    report = sub.add_parser(
        "report",
        help="export the day report or a period report (CSV, XLSX, Markdown)",
        description="Export reports. Examples: frontdesk report day --date 2026-11-23 "
        "--format md | frontdesk report period --from 2026-10-01 --to 2026-12-31 "
        "--format xlsx --output q4.xlsx",
    )
    report_sub = report.add_subparsers(
        dest="report_command", metavar="KIND", required=True, parser_class=_Parser
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
        kind.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help="write to this file (default: standard output; xlsx needs a file)",
        )

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(
        dest="db_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    db_sub.add_parser(
        "upgrade",
        help="apply migrations",
        description="Apply the migrations (also done on every start).",
    )

    imports = sub.add_parser(
        "import",
        help="import data from CSV files",
        description="Import data from CSV files (UTF-8, comma or semicolon, first line names "
        "the columns). Example: frontdesk import partners partners.csv --dry-run",
    )
    import_sub = imports.add_subparsers(
        dest="import_command", metavar="WHAT", required=True, parser_class=_Parser
    )
    partners = import_sub.add_parser(
        "partners",
        help="add or update partners from a CSV file",
        description="Columns: name, category (required), contact, email, phone, website, "
        "languages, notes. A row matches an existing partner by name. Exit status 1 when a "
        "row was rejected.",
    )
    partners.add_argument("file", metavar="FILE", type=Path)
    partners.add_argument(
        "--dry-run", action="store_true", help="check the file and report; change nothing"
    )

    referrals = sub.add_parser(
        "referrals",
        help="referral reports",
        description="Referral reports. Example: frontdesk referrals report "
        "--from 2026-10-01 --to 2026-12-31 --format xlsx --output q4.xlsx",
    )
    referrals_sub = referrals.add_subparsers(
        dest="referrals_command", metavar="ACTION", required=True, parser_class=_Parser
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
    report.add_argument(
        "--output", metavar="FILE", type=Path, help="write here (default: CSV to the terminal)"
    )

    packs = sub.add_parser(
        "packs",
        help="welcome-pack stock and the per-period report",
        description="Welcome-pack stock. Example: frontdesk packs export --period month "
        "--output packs.csv",
    )
    packs_sub = packs.add_subparsers(
        dest="packs_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    packs_sub.add_parser(
        "list",
        help="list pack kinds with their stock",
        description="List pack kinds with stock and threshold; LOW marks those to reorder.",
    )
    packs_export = packs_sub.add_parser(
        "export",
        help="received, corrected and handed-out packs per period, as CSV",
        description="Write received, corrected and handed-out packs per kind per day, "
        "week or month (the last year) as CSV, to a file or to standard output.",
    )
    packs_export.add_argument(
        "--period", choices=["day", "week", "month"], default="week", help="default: week"
    )
    packs_export.add_argument(
        "--output", metavar="FILE", help="write to this file (default: standard output)"
    )

    board = sub.add_parser(
        "board",
        help="the now-serving board for the waiting room (no login, no names)",
        description="Show the now-serving board: tickets being called and their desks, "
        "the last calls, and per service how many wait. No login, no personal data. "
        "With --web it is served to a browser (a TV in the waiting room). "
        "Example: frontdesk --db sqlite:///frontdesk.sqlite3 board --web --port 8000",
    )
    board.add_argument(
        "--web", action="store_true", help="serve the board to a browser with textual-serve"
    )
    board.add_argument(
        "--port", type=int, default=8000, metavar="N", help="port for --web (default 8000)"
    )
    board.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDR",
        help="address for --web to listen on (default 127.0.0.1, this machine only; "
        "e.g. 0.0.0.0 for the local network)",
    )
    board.add_argument(
        "--max-boards",
        type=_int_in(1, 100),
        metavar="N",
        help="with --web: at most N browsers show the board at once, one process each "
        "(default: board_web_max from the config file, 4)",
    )
    _add_appointments_import(import_sub)
    _add_appointments_parser(sub)
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
    export.add_argument("--visitor", type=visitor_id, required=True, metavar="ID")
    export.add_argument("--output", required=True, metavar="DIR", help="an existing folder")
    erase = privacy_sub.add_parser(
        "erase",
        help="erasure request: anonymise one visitor now",
        description="Anonymise one visitor now (refused while a legal duty applies).",
    )
    erase.add_argument("--visitor", type=visitor_id, required=True, metavar="ID")
    erase.add_argument("--reason", required=True, help="why (goes into the audit log)")

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


def _add_appointments_import(imp_sub: Any) -> None:
    appointments = imp_sub.add_parser(
        "appointments",
        help="import BSN appointments from the booking system's CSV",
        description="Import appointments: one row per person, rows sharing a reference are "
        "one household. Columns: reference, date, time, type, role, given_names, "
        "family_name, date_of_birth, nationality, phone, email, employer. Exit 1 when "
        "any row was rejected. Saved in short steps while the desks keep working; if an "
        "import stops half-way, run the same file again: what was saved stays and nothing "
        "is doubled. Example: frontdesk import appointments bookings.csv --dry-run",
    )
    appointments.add_argument("file", type=Path, metavar="FILE")
    appointments.add_argument(
        "--dry-run", action="store_true", help="check and count, but save nothing"
    )


def _add_appointments_parser(sub: Any) -> None:
    appointments = sub.add_parser(
        "appointments", help="BSN appointments", description="BSN appointments."
    )
    ap_sub = appointments.add_subparsers(
        dest="appointments_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    invoices = ap_sub.add_parser(
        "invoices",
        help="the quarterly employer invoice list (CSV or XLSX)",
        description="Write the persons registered per employer in a quarter, with fees "
        "(exempt employers at zero); never a BSN. Example: frontdesk appointments "
        "invoices --quarter 2026Q4 --format xlsx --output q4.xlsx",
    )
    invoices.add_argument("--quarter", required=True, metavar="YYYYQN")
    invoices.add_argument("--format", choices=["csv", "xlsx"], default=None)
    invoices.add_argument("--output", required=True, type=Path, metavar="FILE")


def _settings(args: argparse.Namespace) -> Settings:
    db = getattr(args, "sub_db", None) or args.db
    if args.demo and not db:
        db = f"sqlite:///{default_data_dir() / 'demo.sqlite3'}"
    return load_settings(
        config_path=args.config, db_url=db, desk=args.desk, staff=args.staff, demo=args.demo or None
    )


def _open(settings: Settings) -> Services:
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
                named = services.staff.find_by_name(args.name)
                if named is None:
                    raise CliError(f"no staff member is called {args.name!r}")
                gone = services.staff.deactivate(CLI_ACTOR, named.id)
            except FrontdeskError as exc:
                raise CliError(exc.message) from None
            print(f"deactivated {gone.name}")
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


def cmd_packs(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR

    output = _check_output(Path(args.output)) if getattr(args, "output", None) else None
    services = _open(settings)
    try:
        if args.packs_command == "list":
            kinds = services.packs.kinds(CLI_ACTOR, include_inactive=True)
            if not kinds:
                print("no pack kinds yet: the team lead adds them on the Welcome packs screen")
            for kind in kinds:
                flags = ("  LOW" if kind.low else "") + ("" if kind.active else "  (inactive)")
                print(
                    f"{kind.code}\t{kind.name}\t{kind.stock}\t(threshold {kind.threshold}){flags}"
                )
            return EXIT_OK
        if args.packs_command == "export":
            try:
                services.packs.export_csv(CLI_ACTOR, args.period, to=output or _stdout())
            except FrontdeskError as exc:
                raise _export_error(output, exc) from None
            if output is not None:
                print(f"wrote {output}", file=sys.stderr)
            return EXIT_OK
    finally:
        services.close()
    return EXIT_USAGE


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR
    from frontdesk.services.fields import parse_date
    from frontdesk.services.reports import check_period

    if args.format == "xlsx" and args.output is None:
        raise CliError("an xlsx report needs --output FILE")
    try:
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
    except FrontdeskError as exc:
        raise CliError(exc.message) from None
    output = _check_output(args.output)
    to = output or _stdout()
    services = _open(settings)
    try:
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
    except FrontdeskError as exc:
        raise _export_error(output, exc) from None
    finally:
        services.close()
    if output is not None:
        print(f"wrote {output}", file=sys.stderr)
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


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    if args.import_command == "appointments":
        return _import_appointments(args, settings)
    from frontdesk.services.auth import CLI_ACTOR

    path: Path = args.file
    if path.is_dir():
        raise CliError(f"{path} is a folder; give the CSV file inside it")
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    services = _open(settings)
    try:
        result = services.partners.import_csv(CLI_ACTOR, path, dry_run=args.dry_run)
    finally:
        services.close()
    print(result.summary())
    for change in result.changes:
        print(change)
    for row in result.rejected:
        print(row)
    return EXIT_OK if result.ok else EXIT_REJECTED


def cmd_referrals(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR
    from frontdesk.services.errors import ValidationError
    from frontdesk.services.fields import parse_date

    try:
        start = parse_date(args.start, "from", "--from")
        end = parse_date(args.end, "to", "--to")
    except ValidationError as exc:
        raise CliError(exc.message) from None
    if start is None or end is None:
        raise CliError("give both --from and --to, e.g. --from 2026-10-01 --to 2026-12-31")
    if args.format == "xlsx" and args.output is None:
        raise CliError("an XLSX report needs --output FILE")
    output = _check_output(args.output)
    services = _open(settings)
    try:
        services.referrals.export_report(
            CLI_ACTOR, start, end, args.format, to=output or _stdout("utf-8-sig")
        )
    except FrontdeskError as exc:
        raise _export_error(output, exc) from None
    finally:
        services.close()
    if output is not None:
        print(f"wrote {output}")
    return EXIT_OK


def board_command(settings: Settings) -> list[str]:
    """The command textual-serve runs per browser: this board, on the same settings.

    The database URL travels in FRONTDESK_DB (see :func:`board_server`), not on the
    command line, where a password would show in the process list and the server's log.
    """
    command = [sys.executable, "-m", "frontdesk"]
    if settings.config_path is not None:
        command += ["--config", str(settings.config_path)]
    return [*command, "board"]


def board_server(
    settings: Settings, host: str, port: int, max_boards: int | None = None
) -> BoardServer:
    """The textual-serve Server for ``frontdesk board --web`` (not started here)."""
    import os
    import shlex
    import socket

    from frontdesk.tui.board_web import BoardServer

    if not 1 <= port <= 65535:
        raise CliError("--port must be between 1 and 65535")
    if not host.strip():
        raise CliError("--host needs an address, e.g. 127.0.0.1")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise CliError(f"--host: {host!r} is not an address of this machine") from None
    os.environ["FRONTDESK_DB"] = settings.db_url  # the board processes inherit it
    return BoardServer(
        shlex.join(board_command(settings)),
        max_boards=max_boards or settings.board_web_max,
        host=host,
        port=port,
        title="frontdesk · now serving",
    )


def cmd_board(args: argparse.Namespace, settings: Settings) -> int:
    if args.web:
        from frontdesk.tui.board_web import is_loopback

        server = board_server(settings, args.host, args.port, args.max_boards)
        if not is_loopback(args.host):
            print(
                f"frontdesk board: warning: listening on {args.host}, so anyone on that "
                "network can open the board (ticket numbers and desks; no names)",
                file=sys.stderr,
            )
        print(
            f"frontdesk board: open http://{args.host}:{args.port} in a browser, on at most "
            f"{server.max_boards} screens at once (Ctrl+C stops)"
        )
        server.serve()
        return EXIT_OK
    from frontdesk.db import Database
    from frontdesk.services import Services
    from frontdesk.tui.board import BoardApp

    # No migrations and no start-up writes: the board only reads. If the database is not
    # there yet, the board says so and keeps trying.
    services = Services(Database(settings.db_url), settings)
    try:
        BoardApp(services).run()
    finally:
        services.close()
    return EXIT_OK


def _import_appointments(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.appointment_import import import_appointments
    from frontdesk.services.auth import CLI_ACTOR

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"{args.file}: cannot be read ({exc.strerror})") from None
    services = _open(settings)
    try:
        report = import_appointments(services.appointments, CLI_ACTOR, data, dry_run=args.dry_run)
    finally:
        services.close()
    for line in report.errors:
        print(line, file=sys.stderr)
    print(report.summary)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def cmd_appointments(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.appointments import parse_quarter
    from frontdesk.services.auth import CLI_ACTOR

    fmt = args.format or ("xlsx" if args.output.suffix.lower() == ".xlsx" else "csv")
    try:
        parse_quarter(args.quarter)
    except FrontdeskError as exc:
        raise CliError(f"--quarter: {exc.message}") from None
    output = _check_output(args.output)
    assert output is not None
    services = _open(settings)
    try:
        done = services.appointments.export_invoices(CLI_ACTOR, args.quarter, fmt, output)
    except FrontdeskError as exc:
        raise _export_error(output, exc) from None
    finally:
        services.close()
    print(f"wrote {output}: {done.persons} persons, {done.employers} employers")
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
    if settings.demo:
        from frontdesk.services.demo import demo_database

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
    from frontdesk.services import Services
    from frontdesk.tui.app import FrontdeskApp

    if demo is None:  # the login screen is painted while the database opens (tui/app.py)
        app = FrontdeskApp(lambda: _open(settings), settings)
        try:
            app.run()
        finally:
            if app.opened:
                app.services.close()
        if app.open_error is not None:
            raise app.open_error
        return EXIT_OK
    from frontdesk.services.demo import DEMO_PINS, demo_clock, fill_demo

    # Closed today (a Sunday, before opening): the demo lives the last opening day.
    clock, note = demo_clock(settings, demo.fresh)
    services = Services.open(settings, clock)
    pins = dict(DEMO_PINS) | ({"Demo day": note} if note else {})
    try:
        if demo.fresh:
            fill_demo(services, days=30)
            demo.filled()
        app = FrontdeskApp(services, settings, demo_pins=pins)
        app.run()
    finally:
        services.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "staff": cmd_staff,
    "demo": cmd_demo,
    "db": cmd_db,
    "import": cmd_import,
    "referrals": cmd_referrals,
    "packs": cmd_packs,
    "report": cmd_report,
    "board": cmd_board,
    "appointments": cmd_appointments,
    "privacy": cmd_privacy,
    "backup": cmd_backup,
    "restore": cmd_restore,
}


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
        if args.command == "config":
            from frontdesk.config import default_config_path

            print(args.config or default_config_path())
            return EXIT_OK
        settings = _settings(args)
        if args.command is None:
            return run_app(settings)
        return COMMANDS[args.command](args, settings)
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


if __name__ == "__main__":
    raise SystemExit(main())
