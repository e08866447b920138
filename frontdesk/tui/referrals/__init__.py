"""Referrals to service partners: the worklist, the partner directory and their dialogs."""

from frontdesk.tui.referrals.screen import ReferralsScreen

__all__ = ["ReferralsScreen"]
