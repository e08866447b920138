"""Welcome packs: stock, receipts and corrections, and handing a pack to a visitor."""

from frontdesk.tui.packs.screen import PacksScreen, show_low_stock

__all__ = ["PacksScreen", "show_low_stock"]
