"""BSN registration appointments: the day's book, the household form, the desk's steps."""

from frontdesk.tui.appointments.screen import AppointmentsScreen

__all__ = ["AppointmentsScreen"]
