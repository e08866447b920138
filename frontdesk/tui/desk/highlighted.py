"""What the desk does with the ticket highlighted in its queue rather than its own visitor:
call it out of turn (Enter) or cancel it (Delete). Both ask first.

Plain functions of the desk screen; they run the act through the desk's ``_act``, as its
other keys do, so the answer and the queue's change land together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from frontdesk.services import Actor
from frontdesk.services.queue import TicketInfo
from frontdesk.tui.screens.dialogs import ConfirmModal

if TYPE_CHECKING:
    from frontdesk.tui.desk.screen import DeskScreen


def call_selected(desk: DeskScreen) -> None:
    """Enter: call the highlighted waiting (or on-hold) ticket to this desk out of turn."""
    _ask_then_act(
        desk,
        "Highlight a waiting ticket in the queue first.",
        lambda ticket: ConfirmModal(
            f"Call {ticket.label} ({ticket.service_name}) to desk {desk.desk} out of turn?",
            yes="Call",
            no="No",
        ),
        lambda actor, ticket: desk.services.queue.call_ticket(actor, ticket.id, desk.desk),
        desk.start_appointment,  # shown like F4's call: no toast
    )


def cancel_ticket(desk: DeskScreen) -> None:
    """Delete: cancel the highlighted waiting (or on-hold) ticket; the visitor left."""
    _ask_then_act(
        desk,
        "Highlight a waiting ticket to cancel it.",
        lambda ticket: ConfirmModal(
            f"Cancel ticket {ticket.label}? Do this when the visitor has left.",
            yes="Cancel ticket",
            no="Keep it",
        ),
        lambda actor, ticket: desk.services.queue.cancel(actor, ticket.id),
        lambda t: desk.notify(f"{t.label} cancelled."),
    )


def _ask_then_act(
    desk: DeskScreen,
    refusal: str,
    question: Callable[[TicketInfo], ConfirmModal],
    call: Callable[[Actor, TicketInfo], TicketInfo],
    done: Callable[[Any], Any],
) -> None:
    """Ask ``question`` about the highlighted waiting ticket; on yes, run ``call`` on it.
    Without a waiting ticket highlighted, say ``refusal`` instead."""
    actor, ticket = desk.frontdesk.actor, desk.highlighted()
    if actor is None:
        return
    if ticket is None or ticket.status not in ("waiting", "on_hold"):
        desk.notify(refusal, severity="warning")
        return

    def answered(yes: bool | None) -> None:
        if yes:
            desk._act(lambda: call(actor, ticket), done)

    desk.app.push_screen(question(ticket), answered)
