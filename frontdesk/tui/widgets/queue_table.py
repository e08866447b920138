"""The desk's queue table: a DataTable that does not draw the same cell text twice.

DataTable caches a drawn cell under the table's update count, so any change (one ticket
called, one cell updated, a sort) makes it draw every visible cell again through Rich:
~30 rows x 7 cells, 60-90 ms on the desk after each F4. Most of those cells read the
same as before ("Information & advice", "waiting", "", a minute count) and many read the
same as a neighbour. This table keeps the drawn lines under what decides their look (the
text, the width and height, the styles, cursor, hover and focus) and only adds the
row/column meta (what a mouse click reads) for the place the cell is drawn now.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.widgets import DataTable

SegmentLines = list[list[Segment]]

# Enough for every visible cell in both zebra colours, the cursor row and a few screens of
# scrolling; each entry is a handful of segments.
CELL_CACHE_SIZE = 8192


class QueueTable(DataTable[str]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before DataTable's __init__, which already clears the caches.
        self._drawn_cells: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(CELL_CACHE_SIZE)
        super().__init__(*args, **kwargs)

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._drawn_cells.clear()

    def notify_style_update(self) -> None:
        self._drawn_cells.clear()  # a new theme or CSS: the styles below change
        super().notify_style_update()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        if row_index < 0 or column_index < 0:  # the header and row labels: as DataTable does
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        value = None
        if row_key is not None and column_key is not None:
            value = self._data.get(row_key, {}).get(column_key)
        if row_key is None or not isinstance(value, str):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            value,
            column_index,
            width,
            self.rows[row_key].height,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self.show_cursor,
            self.cursor_type,
            self.cell_padding,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            self._pseudo_class_state,
        )
        lines = self._drawn_cells.get(key)
        if lines is None:
            drawn = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            lines = [
                [
                    Segment(text, style.clear_meta_and_links() if style else None, control)
                    for text, style, control in line
                ]
                for line in drawn
            ]
            self._drawn_cells[key] = lines
        meta = Style.from_meta({"row": row_index, "column": column_index})
        return [
            [
                Segment(text, style + meta if style else meta, control)
                for text, style, control in line
            ]
            for line in lines
        ]
