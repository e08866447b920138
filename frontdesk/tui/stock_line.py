"""The reorder warning's text, shared by the desk and the packs screen (kept apart from the
packs screen's module so the desk does not import that screen at start)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdesk.services.packs import PackKind


def low_stock_line(kinds: Iterable[PackKind]) -> str:
    """ "Low stock: Student pack 6 left (reorder at 10) · ..." or "" when nothing is low."""
    parts = [
        f"{k.name} {'OUT OF STOCK' if k.out else f'{k.stock} left'} (reorder at {k.threshold})"
        for k in kinds
    ]
    return ("Low stock: " + " · ".join(parts)) if parts else ""
