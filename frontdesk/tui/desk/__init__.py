"""The desk: the live queue, the visitor being served, and the desk's dialogs
(register, find, transfer, outcome)."""

from frontdesk.tui.desk.screen import DeskScreen

__all__ = ["DeskScreen"]
