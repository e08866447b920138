"""The desk's queue table: a DataTable that does not draw the same cell text twice.

DataTable caches a drawn cell under the table's update count, so any change (one ticket
called, one cell updated, a sort) makes it draw every visible cell again through Rich:
some 30 rows x 7 cells after each F4, a large part of the key press. Most of those cells read the
same as before ("Information & advice", "waiting", "", a minute count) and many read the
same as a neighbour. This table keeps the drawn lines under what decides their look (the
text, the width and height, the styles, cursor, hover and focus) and only adds the
row/column meta (what a mouse click reads) for the place the cell is drawn now.

A changed cell only changes its row, but DataTable.update_cell counts an update and so
throws away every drawn line of the table. Here a cell change marks its row; before the
next frame the drawn lines of the marked rows are dropped (or, when many rows changed,
everything, as DataTable does). The F4 on the desk changes one row: one line is drawn.

DataTable's internals are reached only through ``frontdesk.tui.textual_compat``.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets.data_table import ColumnKey, RowKey

from frontdesk.tui.textual_compat import (
    DataTableHooks,
    SegmentLines,
    cell_at,
    draw_state,
    forget_drawn_rows,
    has_column,
    row_index_of,
    set_cell_quietly,
)

# Enough for every visible cell in both zebra colours, the cursor row and a few screens of
# scrolling; each entry is a handful of segments.
CELL_CACHE_SIZE = 8192
# More changed rows than this before a frame: drop all drawn lines (cheaper than sifting).
FEW_ROWS = 16


class QueueTable(DataTableHooks):
    class Resized(Message):
        """The table's width changed: the desk fits its columns to it."""

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(event.size.width))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before DataTable's __init__, which already clears the caches.
        self.drawn_cells: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(CELL_CACHE_SIZE)
        self.changed_rows: set[RowKey] = set()
        super().__init__(*args, **kwargs)

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: str,
        *,
        update_width: bool = False,
    ) -> None:
        row = RowKey(row_key) if isinstance(row_key, str) else row_key
        column = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        index = row_index_of(self, row)
        if update_width or index is None or not has_column(self, column):
            super().update_cell(row_key, column_key, value, update_width=update_width)
            return
        set_cell_quietly(self, row, column, value)
        self.changed_rows.add(row)
        self.refresh_row(index)  # only this row's lines redrawn

    def _forget_changed_rows(self) -> None:
        """Drop what was drawn for the rows whose cells changed since the last frame."""
        rows = {row for row in self.changed_rows if row_index_of(self, row) is not None}
        self.changed_rows.clear()
        if rows:
            forget_drawn_rows(self, rows, FEW_ROWS)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.changed_rows:
            self._forget_changed_rows()
        return super().render_lines(crop)

    def caches_cleared(self) -> None:
        self.drawn_cells.clear()

    def notify_style_update(self) -> None:
        self.drawn_cells.clear()  # a new theme or CSS: the styles below change
        super().notify_style_update()

    def draw_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        if row_index < 0 or column_index < 0:  # the header and row labels: as DataTable does
            return super().draw_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key, value = cell_at(self, row_index, column_index)
        if row_key is None or not isinstance(value, str):
            return super().draw_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            value,
            column_index,
            width,
            self.rows[row_key].height,
            base_style,
            cursor,
            hover,
            self.show_cursor,
            self.cursor_type,
            self.cell_padding,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            *draw_state(self),
        )
        lines = self.drawn_cells.get(key)
        if lines is None:
            drawn = super().draw_cell(row_index, column_index, base_style, width, cursor, hover)
            lines = [
                [
                    Segment(text, style.clear_meta_and_links() if style else None, control)
                    for text, style, control in line
                ]
                for line in drawn
            ]
            self.drawn_cells[key] = lines
        meta = Style.from_meta({"row": row_index, "column": column_index})
        return [
            [
                Segment(text, style + meta if style else meta, control)
                for text, style, control in line
            ]
            for line in lines
        ]
