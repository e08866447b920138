"""The desk's steps for the visitor in front of it, beyond the queue: registering them
(F2), a welcome pack, a referral, and starting a called household's appointment.

Plain functions of the desk screen (its public face only); the dialogs they open are
imported when first opened, not at start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from frontdesk.services.queue import TicketInfo
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.work import run_service

if TYPE_CHECKING:
    from frontdesk.services.appointments import AppointmentInfo
    from frontdesk.services.packs import IssuedPack
    from frontdesk.services.referrals import ReferralRow
    from frontdesk.tui.desk.screen import DeskScreen


def register_visitor(desk: DeskScreen) -> None:
    """F2: the register form; for the anonymous walk-in at the desk, ask whose ticket it gets."""
    from frontdesk.tui.desk.register import RegisterScreen

    def registered(ticket: TicketInfo | None) -> None:
        desk.refresh_queue(force=True)
        if ticket is not None:
            desk.call_after_refresh(desk.select_ticket, ticket.id)

    current = desk.current
    if current is None or current.visitor_id is not None:
        run_service(
            desk,
            desk.services.queue.services,
            done=lambda choices: desk.app.push_screen(RegisterScreen(choices), registered),
        )
        return

    def answered(for_current: bool | None) -> None:
        attach_to = current if for_current else None
        run_service(
            desk,
            desk.services.queue.services,
            done=lambda choices: desk.app.push_screen(
                RegisterScreen(choices, attach_to=attach_to), registered
            ),
        )

    # The anonymous visitor at the desk needs a record (for a pack, a referral): give
    # it to their ticket, which keeps its number, instead of a new ticket at the back.
    desk.app.push_screen(
        ConfirmModal(
            f"{current.label} at this desk has no visitor record. Register this visitor "
            f"on {current.label}, or a new walk-in with a ticket of their own?",
            yes=f"On {current.label}",
            no="New walk-in",
        ),
        answered,
    )


def who(ticket: TicketInfo) -> str:
    return f"{ticket.visitor_name or 'visitor'} ({ticket.label})"


def open_pack(desk: DeskScreen, ticket: TicketInfo, then: Callable[[], None] | None = None) -> None:
    assert ticket.visitor_id is not None

    def issued(pack: IssuedPack | None) -> None:
        if pack is not None:
            left = "none left" if pack.stock_left <= 0 else f"{pack.stock_left} left"
            desk.notify(
                f"{pack.kind_name} handed out ({left}"
                + ("; time to reorder)." if pack.low else ")."),
                severity="warning" if pack.low else "information",
            )
            desk.refresh_queue(force=True)
        if then is not None:
            then()

    from frontdesk.tui.packs.dialogs import IssuePackModal

    desk.app.push_screen(IssuePackModal(ticket.visitor_id, who(ticket)), issued)


def open_referral(
    desk: DeskScreen, ticket: TicketInfo, then: Callable[[], None] | None = None
) -> None:
    assert ticket.visitor_id is not None

    def saved(_row: ReferralRow | None) -> None:
        # The dialog itself says "Referral to ... made."
        if then is not None:
            then()

    from frontdesk.tui.referrals.dialogs import NewReferralModal

    desk.app.push_screen(NewReferralModal(ticket.visitor_id, who(ticket)), saved)


def start_appointment(desk: DeskScreen, ticket: TicketInfo) -> None:
    """A BSN household's ticket was called here: its appointment is now in progress."""
    actor = desk.frontdesk.actor
    if actor is None or ticket.source != "appointment":
        return

    def started(info: AppointmentInfo | None) -> None:
        if info is not None:
            desk.notify(f"Appointment for {ticket.label} is now in progress.")

    def not_started(error: Exception) -> None:
        desk.notify(
            f"The appointment for {ticket.label} was not started: "
            f"{getattr(error, 'message', 'it could not be changed')}. "
            "Start it on the appointments screen (Alt+2, S).",
            severity="warning",
        )

    run_service(
        desk,
        lambda: desk.services.appointments.start_from_ticket(actor, ticket.id),
        done=started,
        failed=not_started,
    )
