"""``frontdesk import``: partners and BSN appointments from CSV files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from frontdesk.cli.common import EXIT_OK, EXIT_REJECTED, CliError, command_group, opened
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    imports, import_sub = command_group(
        sub,
        "import",
        help="import data from CSV files",
        description="Import data from CSV files (UTF-8, comma or semicolon, first line names "
        "the columns). Example: frontdesk import partners partners.csv --dry-run",
        metavar="WHAT",
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

    appointments = import_sub.add_parser(
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
    imports.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    if args.import_command == "appointments":
        return _import_appointments(args, settings)
    from frontdesk.services.auth import CLI_ACTOR

    path: Path = args.file
    if path.is_dir():
        raise CliError(f"{path} is a folder; give the CSV file inside it")
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    with opened(settings) as services:
        result = services.partners.import_csv(CLI_ACTOR, path, dry_run=args.dry_run)
    print(result.summary())
    for change in result.changes:
        print(change)
    for row in result.rejected:
        print(row)
    return EXIT_OK if result.ok else EXIT_REJECTED


def _import_appointments(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.appointments.importer import import_appointments
    from frontdesk.services.auth import CLI_ACTOR

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"{args.file}: cannot be read ({exc.strerror})") from None
    with opened(settings) as services:
        report = import_appointments(services.appointments, CLI_ACTOR, data, dry_run=args.dry_run)
    for line in report.errors:
        print(line, file=sys.stderr)
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    print(report.summary)
    return EXIT_REJECTED if report.rejected else EXIT_OK
