"""The waiting room's "now serving" board: a Textual app of its own (``app``) and its
browser face (``web``). Ticket numbers and desks only, never a name."""

from frontdesk.tui.board.app import BoardApp, ServingRow, big_letters, split_label, wait_text

__all__ = ["BoardApp", "ServingRow", "big_letters", "split_label", "wait_text"]
