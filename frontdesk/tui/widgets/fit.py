"""Table columns that fit the terminal: the columns that matter stay at 80 columns, the
others shrink or hide; at large sizes the flexible columns take the room there is.

A column is ``(key, label, width)``: ``width`` is a fixed width, ``0`` for "as wide as its
content" and ``None`` for "hidden at this size". :func:`share_room` turns flexible columns
(``-1``) into widths that share what the fixed ones leave.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.message import Message
from textual.widgets import DataTable

ColumnSpec = tuple[str, str, int | None]
FLEX = -1
PADDING = 2  # a DataTable cell has one column of padding on each side
SCROLLBAR = 2


def share_room(
    spec: Sequence[ColumnSpec],
    room: int,
    *,
    least: int = 8,
    most: int = 40,
    scrollbar: int = SCROLLBAR,
) -> list[ColumnSpec]:
    """Give each flexible column an equal share of ``room`` (the table's width) minus the
    fixed columns and the cell padding, between ``least`` and ``most`` columns wide."""
    shown = [c for c in spec if c[2] is not None]
    fixed = sum(w for _, _, w in shown if w is not None and w > 0)
    flex = [k for k, _, w in shown if w == FLEX]
    free = room - fixed - PADDING * len(shown) - scrollbar
    share = max(least, min(most, free // len(flex))) if flex else 0
    return [(k, label, share if w == FLEX else w) for k, label, w in spec]


def set_columns(table: DataTable[object], spec: Sequence[ColumnSpec]) -> bool:
    """Give ``table`` these columns (clearing its rows) unless it already has them;
    True when it changed (the caller then adds its rows again)."""
    wanted = [(k, label, w) for k, label, w in spec if w is not None]
    have = [
        (str(c.key.value), str(c.label), 0 if c.auto_width else c.width)
        for c in table.columns.values()
    ]
    if have == wanted:
        return False
    table.clear(columns=True)
    for key, label, width in wanted:
        table.add_column(label, key=key, width=width or None)
    return True


class FitTable(DataTable[object]):
    """A DataTable that tells its screen when its width changed (after the layout, so the
    width is the one it has on screen), for the screen to choose its columns."""

    class Resized(Message):
        def __init__(self, table: FitTable, width: int) -> None:
            super().__init__()
            self.table = table
            self.width = width

        @property
        def control(self) -> FitTable:
            return self.table

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(self, event.size.width))
