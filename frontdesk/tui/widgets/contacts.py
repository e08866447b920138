"""The contacts part of a visitor card (the desk's and the F3 search's)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from frontdesk.services.visitors import ContactRecord


def contacts_text(contacts: Sequence[ContactRecord]) -> Text:
    """The card's contacts beside its visits: "04-12-2026 Phone 10 min — topic"."""
    out = Text()
    if contacts:
        out.append("\n\nContacts", style="bold")
        for c in contacts:
            out.append(f"\n{c.at:%d-%m-%Y} {c.channel_label} {c.minutes} min — {c.topic}")
    return out
