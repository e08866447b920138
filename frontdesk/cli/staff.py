"""``frontdesk staff``: add, list and deactivate staff accounts."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from frontdesk.cli.common import EXIT_OK, EXIT_USAGE, CliError, command_group, opened
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    staff, staff_sub = command_group(
        sub,
        "staff",
        help="add, list and deactivate staff accounts",
        description="Manage staff accounts. Example: frontdesk staff add "
        "--name 'Anne de Vries' --role desk",
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
    staff.set_defaults(handler=cmd_staff)


def _ask_pin() -> tuple[str, str]:
    if not sys.stdin.isatty():
        raise CliError("no terminal to type the PIN in; use --pin-stdin")
    return getpass.getpass("PIN: "), getpass.getpass("PIN again: ")


def cmd_staff(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.auth import CLI_ACTOR

    with opened(settings) as services:
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
            info = services.staff.add(CLI_ACTOR, args.name, args.role, pin, repeat)
            print(f"added {info.name} ({info.role})")
            return EXIT_OK
        if args.staff_command == "deactivate":
            named = services.staff.find_by_name(args.name)
            if named is None:
                raise CliError(f"no staff member is called {args.name!r}")
            gone = services.staff.deactivate(CLI_ACTOR, named.id)
            print(f"deactivated {gone.name}")
            return EXIT_OK
    return EXIT_USAGE
