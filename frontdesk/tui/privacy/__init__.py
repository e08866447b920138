"""Privacy at the desk: the curtain (F12), retention purge, access and erasure requests."""

from frontdesk.tui.privacy.dialogs import privacy_commands, toggle_curtain

__all__ = ["privacy_commands", "toggle_curtain"]
