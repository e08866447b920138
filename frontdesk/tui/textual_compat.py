"""Every use of a Textual private name, in one place.

frontdesk pins ``textual~=8.2``. Where Textual has no public way to do what the app needs,
the private access lives here, one small function each, and
``tests/test_textual_compat.py`` checks the assumption behind each one, so a Textual
release that changes it fails a test by name instead of breaking the app silently.
Nothing outside this module (and the queue table's DataTable subclass, which names its
assumptions below) reads or writes a Textual private.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.dom import DOMNode
from textual.notifications import Notification
from textual.widget import Widget
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import ColumnKey, RowKey

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen


def style_as_current(screen: Screen[Any], app: App[Any]) -> None:
    """Mark a screen made now as styled with the App's current CSS.

    Textual counts CSS changes (``App._css_update_count``) and restyles a screen whose
    count is behind when it is shown; a new screen starts at -1, so every new mode
    re-parsed and re-applied the whole stylesheet once more on first show."""
    screen._css_update_count = app._css_update_count


def start_with_theme(app: App[Any], name: str) -> None:
    """Make a registered theme the App's theme before it starts, without a re-parse.

    Setting ``App.theme`` runs its watcher, which queues ``App.refresh_css``: a re-parse
    of every stylesheet from scratch (into a new Stylesheet, so the parse that follows
    starts again too) and a restyle of every screen. Before the App has run nothing is
    parsed or styled yet, so the stylesheet only needs the theme's variables. The rest of
    what the watcher does is unchanged or unused at that point: the App starts in dark
    mode (``-dark-mode``), right for a dark theme (a light one takes the watcher's way),
    and nothing listens to its theme signal yet."""
    theme = app.get_theme(name)
    if app.is_running or theme is None or theme.dark != app.current_theme.dark:
        app.theme = name  # the watcher's way (it also checks the name)
        return
    app.set_reactive(type(app).theme, name)
    app.stylesheet.set_variables(app.get_css_variables())


def read_stylesheets_ahead(app: App[Any], paths: Sequence[PurePath]) -> None:
    """Read and parse stylesheets that screens shown later name in their ``CSS_PATH``.

    ``App._load_screen_css`` reads a screen's stylesheet the first time the screen is shown
    and then re-parses every source (a new Stylesheet, its parse cache empty) and restyles
    the App; a source read already is skipped. ``Stylesheet.parse`` parses only the new
    source (the others come from its cache). Rules read here must not match what is on
    screen now (nothing already styled is restyled): they name the later screens."""
    sheet = app.stylesheet
    for path in paths:
        if not sheet.has_source(str(path), ""):
            sheet.read(path)
    sheet.parse()


def bindings_for_key(node: DOMNode, key: str) -> list[Binding]:
    """The node's own bindings for ``key`` (after the user's keymap), without priority ones.

    ``DOMNode._bindings`` is the node's BindingsMap with the keymap applied; the public
    ``BINDINGS`` is the class declaration, before any remap."""
    return [b for b in node._bindings.key_to_bindings.get(key, ()) if not b.priority]


async def run_key_bindings(app: App[Any], key: str, *, priority: bool = False) -> bool:
    """Handle ``key`` as Textual does when nothing consumed it: the priority bindings
    from the App down (``priority``), else the bindings from the focused widget up.
    True when a binding ran. (``App._check_bindings``.)"""
    return await app._check_bindings(key, priority=priority)


def footer_bindings_ready(footer: Footer) -> None:
    """Tell a Footer the screen's bindings are there to show (what Footer's own
    ``bindings_changed`` does before it recomposes); until then it composes nothing."""
    footer._bindings_ready = True


def preset_footer_key(widget: Widget, compact: bool) -> None:
    """Give a key Footer.compose made the footer's ``compact`` before it mounts.

    ``FooterKey.compact`` defaults to True and is bound to the footer's: mounting a key of
    a footer that is not compact added its "-compact" class (restyling the key), then the
    binding removed it (restyling it again), twice a key on every compose of a footer.
    With the value already the footer's, the reactive's first watch is skipped and the
    binding finds the class as it should be. Keys not bound to it (the command palette's)
    and other widgets are left as they are (``DOMNode._reactive_connect``: the bindings
    ``data_bind`` asked for, until the widget mounts)."""
    bound = widget._reactive_connect or {}
    if isinstance(widget, FooterKey) and "compact" in bound:
        widget.set_reactive(FooterKey.compact, compact)
        widget.set_class(compact, "-compact", update=False)


def set_disabled_together(widgets: Sequence[Widget], disabled: bool) -> None:
    """Set ``disabled`` on several widgets and restyle them in one pass.

    Setting ``Widget.disabled`` runs ``Widget.watch_disabled``, which restyles each widget
    on its own. This sets the reactive without its watcher and does what the watcher does
    (a Leave for a hovered widget, blur a focused one, restyle) for all of them at once,
    where the first widget's matched rules serve the others."""
    if not widgets:
        return
    app = widgets[0].app
    for widget in widgets:
        widget.set_reactive(Widget.disabled, disabled)
    if disabled:
        mouse_over = app.mouse_over
        for widget in widgets:
            if widget.mouse_hover and mouse_over is not None:
                widget.post_message(events.Leave(mouse_over))
            focused = widget.screen.focused
            if focused is not None and widget in focused.ancestors_with_self:
                focused.blur()
    app.stylesheet.update_nodes(widgets, animate=True)
    for widget in widgets:
        widget.refresh()


def notifications(app: App[Any]) -> list[Notification]:
    """The notices on show now (for tests: what the user was told)."""
    return list(app._notifications)


def app_exception(app: App[Any]) -> BaseException | None:
    """The exception that stopped an app run under Pilot, if any (for tests)."""
    error: BaseException | None = app._exception
    return error


# -- DataTable: the queue table draws each distinct cell once (widgets/queue_table.py) --
SegmentLines = list[list[Segment]]


class DataTableHooks(DataTable[str]):
    """A DataTable whose private drawing hooks call methods of ours.

    ``DataTable._clear_caches`` (every structural change) calls :meth:`caches_cleared`;
    ``DataTable._render_cell`` (one cell drawn into lines of segments) calls
    :meth:`draw_cell`, whose default is DataTable's own drawing.
    """

    def caches_cleared(self) -> None:
        """DataTable has just dropped every drawn line (a structural change, a resize)."""

    def draw_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """DataTable's own drawing of one cell (row -1 is the header, column -1 the labels)."""
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self.caches_cleared()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        return self.draw_cell(row_index, column_index, base_style, width, cursor, hover)


def row_index_of(table: DataTable[Any], row: RowKey) -> int | None:
    """Where a row is shown now, or None when the table has no such row."""
    if row not in table._row_locations:
        return None
    index: int | None = table._row_locations.get(row)
    return index


def has_column(table: DataTable[Any], column: ColumnKey) -> bool:
    return column in table._column_locations


def set_cell_quietly(table: DataTable[Any], row: RowKey, column: ColumnKey, value: str) -> None:
    """Change a cell's value without DataTable's update (which drops every drawn line);
    the caller drops what was drawn for that row (:func:`forget_drawn_rows`)."""
    table._data[row][column] = value


def cell_at(table: DataTable[Any], row_index: int, column_index: int) -> tuple[RowKey | None, Any]:
    """The key of the row shown at ``row_index`` and the value in the given column."""
    row = table._row_locations.get_key(row_index)
    column = table._column_locations.get_key(column_index)
    value = None
    if row is not None and column is not None:
        value = table._data.get(row, {}).get(column)
    return row, value


def draw_state(table: DataTable[Any]) -> tuple[object, ...]:
    """What else decides a cell's look: the hover cursor shown, the focus and other
    pseudo classes."""
    return (table._show_hover_cursor, table._pseudo_class_state)


def forget_drawn_rows(table: DataTable[Any], rows: set[RowKey], few: int) -> None:
    """Drop what DataTable drew for these rows (their cells, row lines and screen lines),
    or, for more than ``few`` rows, everything, as DataTable does on any update."""
    if len(rows) > few:
        table._update_count += 1
        return
    indexes = {table._row_locations.get(row) for row in rows}
    top = table.header_height if table.show_header else 0
    lines = {top + y for y, (row, _line) in enumerate(table._y_offsets) if row in rows}
    _drop(table._cell_render_cache, lambda key: key[0] in rows)
    _drop(table._row_render_cache, lambda key: key[0] in rows)
    _drop(table._row_renderable_cache, lambda key: key[1] in indexes)
    _drop(table._line_cache, lambda key: key[0] in lines)


def _drop(cache: LRUCache[Any, Any], hit: Callable[[Any], bool]) -> None:
    keys = cache.keys()
    for key in [key for key in keys if hit(key)]:
        cache.discard(key)
