"""The referral's lifecycle and words: statuses, the steps between them, outcomes, how
consent was given, the worklist's views, and the next follow-up date.
"""

from __future__ import annotations

from datetime import date, timedelta

STATUSES: dict[str, str] = {
    "new": "new",
    "assigned": "assigned",
    "contacted": "contacted",
    "accepted": "accepted",
    "declined": "declined",
    "closed": "closed",
}
OPEN_STATUSES = ("new", "assigned", "contacted", "accepted", "declined")
# Which status may follow which. Staying in the same status (another contact, a new
# follow-up date, a reassignment) is an event too, allowed while the referral is open.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned"}),
    "assigned": frozenset({"contacted", "closed"}),
    "contacted": frozenset({"contacted", "accepted", "declined", "closed"}),
    "accepted": frozenset({"closed"}),
    "declined": frozenset({"closed"}),
    "closed": frozenset(),
}
NEXT_STEP = {
    "new": "pick it up first",
    "assigned": "record the contact with the partner first, or close it",
    "contacted": "record the partner's answer (accepted or declined), or close it",
    "accepted": "close it with an outcome",
    "declined": "close it with an outcome",
    "closed": "it is closed; nothing more can change",
}


def step_refusal(status: str, to_status: str) -> str | None:
    """Why a referral that is ``status`` cannot move to ``to_status``; None when it can.

    The screen asks this before it opens a step's form, so the key says why at once.
    """
    if to_status != status and to_status not in TRANSITIONS[status]:
        return (
            f"A referral that is {status} cannot be {DOING.get(to_status, to_status)}: "
            f"{NEXT_STEP[status]}."
        )
    if to_status == status and status not in OPEN_STATUSES:
        return "This referral is closed; nothing more can change."
    return None


DOING = {
    "assigned": "picked up",
    "contacted": "marked as contacted",
    "accepted": "accepted",
    "declined": "declined",
    "closed": "closed",
}
OUTCOMES: dict[str, str] = {
    "got_help": "got help",
    "no_capacity": "no capacity",
    "not_eligible": "not eligible",
    "could_not_contact": "could not contact",
    "no_longer_interested": "no longer interested",
    "other": "other",
}
CONSENT_HOW: dict[str, str] = {"verbal": "verbal", "written": "written", "email": "e-mail"}
VIEWS: dict[str, str] = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "due_today": "Due today",
    "overdue": "Overdue",
    "open": "All open",
    "closed": "Closed",
}


def follow_up_date(last_change: date, days: int) -> date:
    """``days`` calendar days after the local day of the last change; Sat/Sun -> Monday.

    Works on dates, not on 24-hour steps, so a DST change in between moves nothing.
    """
    day = last_change + timedelta(days=days)
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    return day
