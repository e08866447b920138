"""Who is acting, and what each role may do.

Every service action names itself in :data:`PERMISSIONS`; :func:`require` is called first
thing in every service method that acts for a person. The table is the single place that
says which role may do what, and the tests walk it (every action x every role).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from frontdesk.services.errors import PermissionDenied

# The roles of people's accounts, and the two device roles. A device is no person: the
# self-service kiosk acts through an account of its own (services/kiosk.py, made by the
# kiosk itself, no PIN, no login at a desk); the rating tablet ("feedback") acts without
# an account. Each device may do only its own actions.
STAFF_ROLES = ("lead", "desk", "intern")
KIOSK_ROLE = "kiosk"
FEEDBACK_ROLE = "feedback"
ROLES = (*STAFF_ROLES, KIOSK_ROLE, FEEDBACK_ROLE)
ROLE_LABELS = {
    "lead": "team lead",
    "desk": "desk staff",
    "intern": "intern",
    KIOSK_ROLE: "kiosk",
    FEEDBACK_ROLE: "the rating tablet",
}

LEAD = frozenset({"lead"})
DESK = frozenset({"lead", "desk"})
ALL = frozenset(STAFF_ROLES)
FEEDBACK = frozenset({"lead", FEEDBACK_ROLE})
KIOSK = frozenset({"lead", "desk", KIOSK_ROLE})

PERMISSIONS: dict[str, frozenset[str]] = {
    # staff and audit (foundation)
    "staff.list": ALL,
    "staff.add": LEAD,
    "staff.deactivate": LEAD,
    "staff.reset_pin": LEAD,
    "staff.change_role": LEAD,
    "audit.view": LEAD,
    # visitors
    "visitor.search": DESK,
    "visitor.view": DESK,
    "visitor.register": DESK,
    "visitor.update": DESK,
    "visitor.merge": LEAD,
    # the queue
    "queue.view": DESK,
    "queue.issue": DESK,
    "queue.call": DESK,
    "queue.close_day": LEAD,
    "contact.log": DESK,
    # partners and referrals
    "partner.view": ALL,
    "partner.edit": LEAD,
    "referral.view": ALL,
    "referral.create": DESK,
    "referral.work": ALL,
    "referral.assign_others": LEAD,
    "referral.report": LEAD,
    # welcome packs
    "pack.view": DESK,
    "pack.issue": DESK,
    "pack.add_kind": LEAD,
    "pack.retire": LEAD,
    "pack.receive": LEAD,
    "pack.correct": LEAD,
    "pack.export": LEAD,
    # the team lead's view: figures, exports, the list of services
    "report.view": LEAD,
    "report.export": LEAD,
    "service.manage": LEAD,
    "rules.manage": LEAD,
    # BSN appointments
    "appointment.view": DESK,
    "appointment.book": DESK,
    "appointment.work": DESK,
    "appointment.reveal_bsn": DESK,
    "appointment.invoices": LEAD,
    # privacy (retention, access and erasure requests)
    "privacy.purge": LEAD,
    "privacy.export": LEAD,
    "privacy.erase": LEAD,
    # the rating tablet after a visit (no personal data)
    "feedback.record": FEEDBACK,
    # the self-service kiosk: all it may do (a desk and the lead may too, e.g. to try it)
    "kiosk.services": KIOSK,
    "kiosk.issue": KIOSK,
    "kiosk.check_in": KIOSK,
    # appointment e-mails (the outbox)
    "mail.view": LEAD,
    "mail.manage": LEAD,
    "mail.send": LEAD,
}

ACTION_LABELS: dict[str, str] = {
    "staff.add": "add staff",
    "staff.deactivate": "deactivate staff",
    "staff.reset_pin": "reset a PIN",
    "staff.change_role": "change a role",
    "audit.view": "see the audit log",
    "visitor.merge": "merge two visitor records",
    "queue.close_day": "close the day",
    "queue.call": "serve visitors from the queue",
    "queue.issue": "hand out tickets",
    "queue.view": "see the queue",
    "partner.edit": "add, change or import partners",
    "referral.create": "make a referral",
    "referral.assign_others": "hand a referral to someone else",
    "referral.report": "export the partner report",
    "pack.view": "see the welcome-pack stock",
    "pack.issue": "hand out welcome packs",
    "pack.add_kind": "add a pack kind",
    "pack.retire": "retire a pack kind or bring it back",
    "pack.receive": "receive pack stock",
    "pack.correct": "correct pack stock",
    "pack.export": "export the pack report",
    "report.view": "see the reports",
    "report.export": "export reports",
    "service.manage": "change the services",
    "rules.manage": "change the opening hours or the target wait",
    "appointment.view": "see the appointment book",
    "appointment.book": "book or change appointments",
    "appointment.work": "serve appointments",
    "appointment.reveal_bsn": "see a BSN",
    "appointment.invoices": "see the employer invoices",
    "privacy.purge": "anonymise old visitors",
    "privacy.export": "export a visitor's data",
    "privacy.erase": "erase a visitor",
    "feedback.record": "record a visitor's rating",
    "kiosk.services": "see the kiosk's services",
    "kiosk.issue": "take a ticket at the kiosk",
    "kiosk.check_in": "check in at the kiosk",
    "mail.view": "see the e-mail outbox",
    "mail.manage": "retry or cancel e-mails",
    "mail.send": "send the queued e-mails",
}


@dataclass(frozen=True)
class Actor:
    """The logged-in staff member on whose behalf a service acts."""

    staff_id: int
    name: str
    role: str
    desk: int | None = None
    origin: str = ""

    @property
    def where(self) -> str:
        host = self.origin or socket.gethostname()
        return f"desk {self.desk} @ {host}" if self.desk else host


# Whoever runs a command on the server can reach the database anyway; their acts are
# audited as the command line, with no staff account behind them.
CLI_ACTOR = Actor(staff_id=0, name="command line", role="lead", desk=None, origin="command line")


def allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS[action]


def require(actor: Actor, action: str) -> None:
    if action not in PERMISSIONS:  # a programming error, caught by the tests
        raise KeyError(f"unknown action {action!r}")
    if not allowed(actor.role, action):
        label = ACTION_LABELS.get(action, action.replace(".", " ").replace("_", " "))
        raise PermissionDenied(
            f"As {ROLE_LABELS.get(actor.role, actor.role)} you may not {label}; ask the team lead."
        )
