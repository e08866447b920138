"""The lead's appointment settings on the staff & services tab: how many households a BSN
slot takes, and the list of employer spellings; and the list of possible duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.widgets import TextArea

from frontdesk.services.capacity import CAPACITY_FIELD
from frontdesk.services.employers import ALIASES_FIELD, EmployerNames
from frontdesk.tui.lead.common import LeadTab
from frontdesk.tui.lead.forms import FormField, FormModal, text_input
from frontdesk.tui.work import run_service


@dataclass(frozen=True)
class BookingRules:
    capacity: int | None
    employers: EmployerNames


def capacity_text(capacity: int | None) -> str:
    if capacity is None:
        return "no limit"
    return f"{capacity} household{'s' if capacity != 1 else ''}"


def rules_text(rules: BookingRules) -> str:
    count = len(rules.employers.aliases)
    canonical = len({a.canonical for a in rules.employers.aliases})
    return (
        f"A BSN slot takes: {capacity_text(rules.capacity)}\n"
        f"Employer spellings: {count} (for {canonical} employers)"
    )


def load(tab: LeadTab, show: Any) -> None:
    """Read both settings off the UI thread and hand them to ``show``."""
    services = tab.services

    def fetch() -> BookingRules:
        return BookingRules(services.capacity.capacity(), services.employers.names())

    run_service(tab, fetch, done=show, group="lead-bookings", exclusive=True)


def employers_area(text: str) -> TextArea:
    area = TextArea(text, id=ALIASES_FIELD, soft_wrap=False)
    area.styles.height = 10
    return area


def edit_capacity(tab: LeadTab, done: Any) -> None:
    actor, capacity = tab.actor, tab.services.capacity

    def opened(current: int | None) -> None:
        tab.app.push_screen(
            FormModal(
                "Appointment capacity",
                [
                    FormField(
                        CAPACITY_FIELD,
                        "Households a slot takes",
                        text_input(CAPACITY_FIELD, "" if current is None else str(current)),
                        hint="e.g. 2 with two BSN desks; empty = no limit",
                    )
                ],
                lambda v: capacity.set_capacity(actor, v[CAPACITY_FIELD]),
                intro="The booking form refuses a full slot and offers the next free one; "
                "the import warns per row.",
            ),
            done,
        )

    run_service(tab, capacity.capacity, done=opened)


def edit_employers(tab: LeadTab, done: Any) -> None:
    actor, employers = tab.actor, tab.services.employers

    def opened(names: EmployerNames) -> None:
        tab.app.push_screen(
            FormModal(
                "Employer names",
                [
                    FormField(
                        ALIASES_FIELD,
                        "Other spelling = name to use, one a line",
                        employers_area(names.text),
                        hint="e.g. Universiteit Leiden = Leiden University",
                    )
                ],
                lambda v: employers.save(actor, v[ALIASES_FIELD]),
                intro="Applied when an appointment is saved or imported, and when the invoices "
                "are totalled. Case, accents and extra spaces do not count.",
            ),
            done,
        )

    run_service(tab, employers.names, done=opened)


def open_duplicates(tab: Any) -> None:
    from frontdesk.tui.screens.merge import DuplicatesModal  # on first use, not with the lead

    tab.app.push_screen(DuplicatesModal())
