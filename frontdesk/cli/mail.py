"""``frontdesk mail send`` and ``frontdesk mail status``: the appointment e-mail outbox.

``mail send`` delivers what is due and ends; run it every few minutes from cron or a
systemd timer (docs/mail.md). Two runs at once never send the same message (each claims
its message in the database before it talks to the server).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from frontdesk.cli.common import EXIT_OK, EXIT_REJECTED, CliError, command_group, open_services
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    mail, mail_sub = command_group(
        sub,
        "mail",
        help="appointment e-mails: send what is due, or see the outbox",
        description="Appointment e-mails go through an outbox. Run 'frontdesk mail send' "
        "every few minutes (cron or a systemd timer, see docs/mail.md); the mail server "
        "is set under [mail] in the config file.",
    )
    send = mail_sub.add_parser(
        "send",
        help="deliver the e-mails that are due",
        description="Deliver the e-mails that are due, then stop. Exit 1 when a message was "
        "refused for good or the mail server could not be reached (the messages stay queued "
        "and are tried again later). Example: frontdesk mail send",
    )
    send.add_argument(
        "--limit", type=int, default=1000, metavar="N", help="send at most N (default 1000)"
    )
    mail_sub.add_parser(
        "status",
        help="count the e-mails per status and list the failed ones",
        description="Count the outbox per status and list the failed e-mails with the reason.",
    )
    mail.set_defaults(handler=cmd_mail)


def cmd_mail(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk.services import FrontdeskError
    from frontdesk.services.auth import CLI_ACTOR

    if args.mail_command == "send" and not 1 <= args.limit <= 100_000:
        raise CliError("--limit must be between 1 and 100000")
    services = open_services(settings)
    try:
        if args.mail_command == "status":
            counts = services.mail.counts(CLI_ACTOR)
            print("  ".join(f"{status} {n}" for status, n in counts.items()))
            for entry in services.mail.outbox(CLI_ACTOR, ("failed",)):
                print(
                    f"failed: e-mail {entry.id} ({entry.kind}, appointment "
                    f"{entry.appointment_id}): {entry.last_error}"
                )
            return EXIT_OK
        report = services.mail.send_due(CLI_ACTOR, limit=args.limit)
    except FrontdeskError as exc:
        raise CliError(exc.message) from None
    finally:
        services.close()
    print(report.summary())
    if report.stopped or report.failed:
        print(
            "frontdesk: some e-mails were not sent; see 'frontdesk mail status'",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    return EXIT_OK
