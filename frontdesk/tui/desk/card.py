"""What the desk shows beside its queue: the visitor card, the waiting strip, and the
update one poll brings (read in a worker, shown on the UI thread)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from frontdesk.services.dates import format_date
from frontdesk.services.fields import country, format_phone
from frontdesk.services.queue import ServiceLoad, TicketInfo, VisitRecord, wait_words
from frontdesk.services.visitors import CATEGORIES, ContactRecord, VisitorRecord
from frontdesk.tui.desk.queue_rows import Cells, QueueDiff
from frontdesk.tui.widgets.contacts import contacts_text


@dataclass(frozen=True)
class VisitorCard:
    visitor: VisitorRecord
    visits: tuple[VisitRecord, ...]
    contacts: tuple[ContactRecord, ...] = ()


@dataclass(frozen=True)
class DeskUpdate:
    """What one poll found: the table changes and the rest of the desk's state."""

    version: int
    diff: QueueDiff
    rows: dict[int, Cells]
    order: tuple[int, ...]
    tickets: dict[int, TicketInfo]
    current: TicketInfo | None
    card: VisitorCard | None
    # The waiting strip and the stock line: None when this read left them out (they are
    # read at most every few seconds, see DeskScreen._slow_due).
    load: tuple[ServiceLoad, ...] | None
    low_stock: str | None = ""


def load_text(load: Sequence[ServiceLoad], width: int) -> str:
    """The waiting strip: "Waiting 20 — B 2 (~10 min) · A 12 (~170 min) · ...": per
    service how many wait, and how long the last of them waits (``wait_of_last``).

    Wrapped by service, never inside one ("R" on one line and "4 (~60 min)" on the next
    read as two services), to fit ``width`` columns.
    """
    parts = [f"{i.prefix} {i.waiting} ({wait_words(i.wait_of_last)})" for i in load if i.waiting]
    lines = [f"Waiting {sum(i.waiting for i in load)}"]
    sep = " — "
    for part in parts:
        if len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines[-1] += sep.rstrip()
            lines.append(part)
        sep = " · "
    return "\n".join(lines)


DESK_CARD = ("Nationality", "Born", "Phone", "E-mail", "Category", "Language", "Employer", "Notes")


def visitor_details(v: VisitorRecord, labels: Sequence[str], date_style: str) -> list[str]:
    """The visitor's details as "Label: value" lines in the order of ``labels`` (those of
    :func:`_details`); empty ones are left out."""
    values = _details(v, date_style)
    return [f"{label}: {values[label]}" for label in labels if values[label]]


def _details(v: VisitorRecord, date_style: str) -> dict[str, str]:
    land = country(v.nationality)
    return {
        "Born": format_date(v.birth_date, date_style) if v.birth_date else "",
        "Nationality": f"{land.name} ({land.code})" if land else "",
        "Phone": format_phone(v.phone),
        "E-mail": v.email or "",
        "Category": CATEGORIES.get(v.category, v.category) if v.category else "",
        "Employer": v.employer or "",
        "Municipality": v.municipality or "",
        "Language": v.language or "",
        "Notes": v.notes or "",
    }


def card_text(card: VisitorCard | None, current: TicketInfo, date_style: str = "dutch") -> Text:
    """The visitor card: who is at the desk (only on this desk's screen, never the board).

    Built as plain Text, not markup: a name or a note may hold square brackets.
    """
    if card is None:
        return Text("Anonymous walk-in (no visitor record).")
    v = card.visitor
    out = Text()
    out.append(v.full_name or "(no name)", style="bold")
    lines = ["", *visitor_details(v, DESK_CARD, date_style)]
    past = [
        visit
        for visit in card.visits
        if not (visit.day == current.day and visit.label == current.label)
    ]
    out.append("\n".join(lines))
    out.append("\n\n")
    if past:
        out.append("Past visits", style="bold")
        for visit in past[:6]:
            outcome = f" — {visit.outcome}" if visit.outcome else ""
            day = format_date(visit.day, date_style)
            out.append(f"\n{day} {visit.label} {visit.service_name}{outcome}")
    else:
        out.append("First visit.")
    out.append(contacts_text(card.contacts, date_style))
    return out


def update_in_place(widget: Static, content: str | Text) -> None:
    """Show new content; lay the screen out again only when the widget's height changes.

    ``Static.update`` lays out the whole screen (costly on the desk) after every change,
    though a line of text mostly keeps its height: then redrawing the widget is enough.
    """
    width, height = widget.content_size
    widget.update(content, layout=False)
    if not width or not widget.display:
        widget.refresh(layout=True)
        return
    # Textual's own widgets pass their styles here too: RenderStyles reads like the
    # RulesMap TypedDict that get_height is annotated with, but is not one for mypy.
    if widget.visual.get_height(widget.styles, width) != height:  # type: ignore[arg-type]
        widget.refresh(layout=True)
