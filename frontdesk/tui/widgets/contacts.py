"""The contacts part of a visitor card (the desk's and the F3 search's)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from frontdesk.services.dates import format_date
from frontdesk.services.visitors import ContactRecord


def contacts_text(contacts: Sequence[ContactRecord], date_style: str = "dutch") -> Text:
    """The card's contacts beside its visits: "2026-12-04 Phone 10 min — topic"."""
    out = Text()
    if contacts:
        out.append("\n\nContacts", style="bold")
        for c in contacts:
            out.append(
                f"\n{format_date(c.at, date_style)} {c.channel_label} {c.minutes} min — {c.topic}"
            )
    return out
