"""frontdesk: a keyboard-first front-desk app for an International Centre one-stop-shop."""

__version__ = "0.1.0"
