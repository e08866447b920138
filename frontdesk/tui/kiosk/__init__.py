"""The self-service kiosk (``frontdesk kiosk``): a visitor's own screens, no staff data."""

from frontdesk.tui.kiosk.app import KioskApp

__all__ = ["KioskApp"]
