"""``frontdesk privacy``: retention, access and erasure requests."""

from __future__ import annotations

import argparse
from typing import Any

from frontdesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    command_group,
    opened,
    visitor_id,
)
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    privacy, privacy_sub = command_group(
        sub,
        "privacy",
        help="retention, access and erasure requests",
        description="Privacy duties of the team lead. Examples: frontdesk privacy purge "
        "--dry-run | frontdesk privacy export --visitor 42 --output ~/exports | "
        "frontdesk privacy erase --visitor 42 --reason 'asked by e-mail'",
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
    privacy.set_defaults(handler=cmd_privacy)


def cmd_privacy(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services.auth import CLI_ACTOR

    with opened(settings) as services:
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
    return EXIT_USAGE
