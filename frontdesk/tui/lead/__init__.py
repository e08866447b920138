"""The team lead's screen: one widget per tab (dashboard, day review, reports, staff &
services) under :class:`LeadScreen`, and the lead's small forms."""

from frontdesk.tui.lead.screen import LeadScreen

__all__ = ["LeadScreen"]
