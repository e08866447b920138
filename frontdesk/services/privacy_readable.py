"""An access-request export a visitor can read: local times to the second (no UTC, no
microseconds) and words instead of codes ("Knowledge migrant", not ``knowledge_migrant``).

The holders of every capability hand over JSON-able data (``privacy.json_value`` writes
times as ISO text in UTC); :func:`readable` turns that into what the files hold, in one
place, so a new holder needs nothing of its own for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from frontdesk.services.dates import format_moment
from frontdesk.services.fields import country
from frontdesk.services.queue.records import CHANNELS
from frontdesk.services.visitors import CATEGORIES

_MOMENT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?")
_LOCAL_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
_CODE = re.compile(r"[a-z]+([_.][a-z]+)*")

# Keys whose values are codes, with the words for them where the product has words.
_LABELS: Mapping[str, Mapping[str, str]] = {
    "category": CATEGORIES,
    "channel": CHANNELS,
    "source": {"walk_in": "Walk-in", "appointment": "Appointment", "kiosk": "Kiosk"},
}
# Under these keys a code ("on_hold", "privacy.export") reads as its words ("On hold",
# "Privacy: export"); an action always does ("called" -> "Called"). Statuses that holders
# already wrote in words ("cancelled") stay as they are.
_CODE_KEYS = frozenset({*_LABELS, "status", "from", "to", "result", "payer", "origin"})
# Keys of free text: never rewritten, whatever they look like.
_FREE_TEXT = frozenset({"notes", "outcome", "outcome_text", "topic", "reason", "detail", "note"})


def _words(code: str) -> str:
    return code.replace("_", " ").replace(".", ": ", 1).replace(".", " ").capitalize()


def _moment(text: str, tz: tzinfo) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:  # stored naive by SQLite: always UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


def readable(value: Any, tz: tzinfo, key: str = "") -> Any:
    """``value`` with every moment in local time to the second and every code in words."""
    if isinstance(value, dict):
        return {k: readable(v, tz, k) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(v, tz, key) for v in value]
    if isinstance(value, datetime):
        return _moment(value.isoformat(), tz)
    if not isinstance(value, str) or key in _FREE_TEXT:
        return value
    if _MOMENT.fullmatch(value):
        return _moment(value, tz)
    if key == "nationality":
        land = country(value)
        return f"{land.name} ({land.code})" if land else value
    if key in _LABELS and value in _LABELS[key]:
        return _LABELS[key][value]
    if _CODE.fullmatch(value) and (
        key == "action" or (key in _CODE_KEYS and ("_" in value or "." in value))
    ):
        return _words(value)
    return value


def shown_moment(value: object, date_style: str) -> str | None:
    """A local moment from :func:`readable` as the Markdown shows it ("06-12-2026 10:15");
    None when ``value`` is not one."""
    if isinstance(value, str) and _LOCAL_MOMENT.fullmatch(value):
        return format_moment(datetime.fromisoformat(value), date_style)
    return None
