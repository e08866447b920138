"""Parsing and checking the personal fields that several forms and imports share.

Each function takes what a person typed and returns the value to store, or raises a
ValidationError that names the field and says what is wrong without repeating the value.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import pycountry

from frontdesk.services.errors import ValidationError
from frontdesk.services.text import fold, has_control_chars

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
OLDEST_AGE_YEARS = 120


def parse_date(value: object, field: str, label: str = "The date") -> date | None:
    """Accept a date, "2026-11-23", "23-11-2026", "23/11/2026" or "23 Nov 2026" (every
    style of ``services.dates.format_date``)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _plausible(value.date(), field, label)
    if isinstance(value, date):
        return _plausible(value, field, label)
    if not isinstance(value, str):
        raise ValidationError(field, f"{label} must be a date")
    text = value.strip()
    if not text:
        return None
    if _ISO_DATE.match(text):  # the common form, without strptime's cost (an import's rows)
        try:
            return _plausible(date.fromisoformat(text), field, label)
        except ValueError:
            pass  # not a day of the calendar: the patterns below say so
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return _plausible(parsed, field, label)
    raise ValidationError(field, f"{label} is not a date; write it as 2026-11-23 or 23-11-2026")


# Years a date typed at the desk can have. Outside them it is a typing slip (0202 for
# 2020), and the calendar's own edges (year 1 or 9999) cannot be turned into a day's
# UTC bounds at all.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _plausible(day: date, field: str, label: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(field, f"{label} has an unlikely year; check it")
    return day


def check_birth_date(value: object, today: date, field: str = "birth_date") -> date | None:
    born = parse_date(value, field, "The date of birth")
    if born is None:
        return None
    if born > today:
        raise ValidationError(field, "the date of birth is in the future")
    if today.year - born.year > OLDEST_AGE_YEARS:
        raise ValidationError(field, "the date of birth is too long ago; check the year")
    return born


def _typed(value: object, field: str, what: str) -> str | None:
    """What was typed, stripped; None when nothing was. Refused when it is not text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(field, f"{what} must be text")
    return value.strip() or None


def normalise_phone(value: object, field: str = "phone", region: str = "NL") -> str | None:
    """Any way people write a number -> E.164 ("+31612345678")."""
    text = _typed(value, field, "the phone number")
    if text is None:
        return None
    if len(text) > 40:
        raise ValidationError(field, "the phone number is too long")
    import phonenumbers  # slow and large to import: only when a number is typed or shown

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            field, "this is not a phone number; write it as 06-12345678 or +44 20 8366 1177"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            field, "this phone number does not exist; check the digits and the country code"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(value: object, field: str = "email") -> str | None:
    text = _typed(value, field, "the e-mail address")
    if text is None:
        return None
    if len(text) > 254 or has_control_chars(text) or not _EMAIL.match(text):
        raise ValidationError(field, "this is not an e-mail address; write it as name@example.nl")
    return text


# -- countries ------------------------------------------------------------------------
@dataclass(frozen=True)
class Country:
    code: str
    name: str
    dutch: str


@cache
def countries() -> tuple[Country, ...]:
    translate: Callable[[str], str]
    try:
        translate = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=["nl"]
        ).gettext
    except OSError:
        translate = str.strip

    out = []
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        out.append(Country(c.alpha_2, name, translate(c.name)))
    return tuple(sorted(out, key=lambda c: c.name))


@cache
def _country_index() -> dict[str, Country]:
    return {c.code: c for c in countries()}


def country(code: str | None) -> Country | None:
    return _country_index().get(code.upper()) if code else None


def find_countries(query: str, limit: int = 8) -> list[Country]:
    """ "neth", "Nederland" and "NL" all reach the Netherlands."""
    q = fold(query)
    if not q:
        return []
    exact = [c for c in countries() if c.code.lower() == q]
    starts, contains = [], []
    for c in countries():
        names = (fold(c.name), fold(c.dutch))
        if any(n.startswith(q) for n in names):
            starts.append(c)
        elif any(q in n for n in names):
            contains.append(c)
    seen: list[Country] = []
    for c in exact + starts + contains:
        if c not in seen:
            seen.append(c)
    return seen[:limit]


def check_nationality(value: object, field: str = "nationality") -> str | None:
    """An ISO 3166 alpha-2 code, or a name that names exactly one country."""
    text = _typed(value, field, "the nationality")
    if text is None:
        return None
    if len(text) == 2 and country(text):
        return text.upper()
    matches = [c for c in countries() if fold(text) in (fold(c.name), fold(c.dutch))]
    if len(matches) == 1:
        return matches[0].code
    raise ValidationError(field, "pick a country from the list (type part of its name or its code)")
