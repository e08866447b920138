"""The rules of a BSN appointment that need no database: kinds, statuses and their
transitions, the documents a person must bring, the BSN check, times of day, fees in euro.
"""

from __future__ import annotations

import re
from datetime import date, time

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn

from frontdesk.services.errors import ValidationError

KINDS: dict[str, str] = {
    "first_registration": "First registration",
    "bsn_collection": "BSN collection",
    "other": "Other",
}
RELATIONS: dict[str, str] = {"main": "Main person", "partner": "Partner", "child": "Child"}
STATUSES: dict[str, str] = {
    "booked": "booked",
    "checked_in": "checked in",
    "in_progress": "in progress",
    "completed": "completed",
    "no_show": "no-show",
    "cancelled": "cancelled",
    "rejected_missing_documents": "rejected: documents missing",
}
# Which status may follow which. A household that was marked no-show and turns up late
# after all may still be checked in.
TRANSITIONS: dict[str, frozenset[str]] = {
    "booked": frozenset({"checked_in", "no_show", "cancelled"}),
    # A checked-in household that leaves before being served is cancelled or a no-show.
    "checked_in": frozenset({"in_progress", "rejected_missing_documents", "cancelled", "no_show"}),
    "in_progress": frozenset({"completed", "rejected_missing_documents"}),
    "no_show": frozenset({"checked_in"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "rejected_missing_documents": frozenset(),
}
_VERBS = {
    "checked_in": "checked in",
    "in_progress": "started",
    "completed": "completed",
    "no_show": "marked no-show",
    "cancelled": "cancelled",
    "rejected_missing_documents": "rejected for missing documents",
}
# What the household's queue ticket becomes when the appointment ends: (ticket status,
# ticket event action). The ticket follows its appointment in the same transaction.
TICKET_END: dict[str, tuple[str, str]] = {
    "completed": ("done", "finished"),
    "rejected_missing_documents": ("done", "finished"),
    "cancelled": ("cancelled", "cancelled"),
    "no_show": ("no_show", "no_show"),
}
TICKET_OPEN = ("waiting", "called", "on_hold")
SERVICE_FOR_KIND = {
    "first_registration": "bsn_registration",
    "bsn_collection": "bsn_collection",
    "other": "bsn_registration",
}
BSN_OUTCOMES = {"issued": "issued at the desk", "by_post": "to follow by post"}

# EU and EEA member states, and Switzerland (free movement: no residence permit, no
# legalised birth certificate needed).
_EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU_EEA: frozenset[str] = frozenset((_EU + " IS LI NO CH").split(" "))

DOCUMENTS: dict[str, str] = {
    "id": "Valid passport or EU identity card",
    "birth_certificate": "Full birth certificate",
    "birth_certificate_legalised": "Full birth certificate, legalised or with an apostille",
    "address": "Proof of address (rental contract, owner's declaration or the "
    "employer-address form)",
    "job_letter": "Job letter (employment contract or employer's declaration)",
    "residence_permit": "Residence permit or IND letter",
    "marriage": "Marriage or divorce certificate",
}
# Short names for the screen's checklist (the long ones go on the "bring next time" list).
DOCUMENT_SHORT: dict[str, str] = {
    "id": "Passport or EU ID",
    "birth_certificate": "Birth certificate",
    "birth_certificate_legalised": "Birth certificate, legalised/apostille",
    "address": "Proof of address",
    "job_letter": "Job letter",
    "residence_permit": "Residence permit / IND letter",
    "marriage": "Marriage/divorce certificate",
}
_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def mask_bsn(number: str | None) -> str | None:
    return None if not number else "*" * (len(number) - 3) + number[-3:]


ADULT_AGE = 18


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def married_refused(birth: date | None, day: date) -> str | None:
    """Why marital status does not apply to this person on this day; None if it does."""
    if birth is not None and age_on(birth, day) < ADULT_AGE:
        return "a child (under 18 on the appointment day) has no marital status"
    return None


# Recording a BSN number: one at a time across desks on PostgreSQL (transaction-scoped
# advisory lock), so two desks cannot give the same number to two people at once.
def check_bsn(value: object, field: str = "bsn") -> str:
    """8 or 9 digits (8 get a leading zero), the eleven-test, not all zeros (python-stdnum).

    The message never repeats the number typed.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "type the BSN (9 digits)")
    digits = re.sub(r"[\s.\-]", "", value)
    if not digits.isdigit():
        raise ValidationError(field, "a BSN has only digits")
    if len(digits) not in (8, 9):
        raise ValidationError(field, "a BSN has 9 digits (or 8, without the leading zero)")
    try:
        return str(stdnum_bsn.validate(digits))
    except StdnumError:
        raise ValidationError(
            field, "this is not a valid BSN (the check digit does not match); check the digits"
        ) from None


def parse_time_of_day(value: object, field: str = "time") -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _TIME.match(value)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return time(hour, minute)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, "type the time, e.g. 09:30")
    raise ValidationError(field, "this is not a time; write it as 09:30")


def is_eu(nationality: str | None) -> bool:
    return nationality is not None and nationality.upper() in EU_EEA


def required_documents(
    kind: str,
    relation: str,
    nationality: str | None,
    married: bool,
    has_employer: bool,
) -> list[str]:
    """The documents this person must show, derived from who they are."""
    if kind != "first_registration":
        return ["id"]
    codes = ["id", "birth_certificate" if is_eu(nationality) else "birth_certificate_legalised"]
    if relation == "main":
        codes += ["address", "job_letter"]
    elif relation == "partner" and has_employer:
        codes.append("job_letter")
    if not is_eu(nationality):  # unknown nationality: ask, the clerk can tick it
        codes.append("residence_permit")
    if married:
        codes.append("marriage")
    return codes


def euro(cents: int) -> str:
    return f"€{cents // 100},{cents % 100:02d}"
