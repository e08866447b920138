"""Each assumption frontdesk.tui.textual_compat makes about Textual's privates.

If a Textual release renames or changes one of them, the test of that function fails by
name: fix the one function in textual_compat (or drop it for a public API) and go on.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer, Input
from textual.widgets.data_table import ColumnKey, RowKey

from frontdesk.tui import textual_compat as compat


class Bare(App[None]):
    BINDINGS = [Binding("f9", "mark", "Mark")]

    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self.widgets = widgets
        self.marked = 0

    def compose(self) -> ComposeResult:
        yield from self.widgets

    def action_mark(self) -> None:
        self.marked += 1


def test_textual_is_the_pinned_series() -> None:
    from importlib.metadata import version

    major, minor = (int(part) for part in version("textual").split(".")[:2])
    assert (major, minor) >= (8, 2) and major == 8, "textual_compat is checked for 8.2+"


async def test_style_as_current_gives_a_new_screen_the_apps_css_count() -> None:
    app = Bare()
    async with app.run_test():
        screen: Screen[None] = Screen()
        assert screen._css_update_count == -1  # a new screen: restyled when first shown
        assert isinstance(app._css_update_count, int)
        compat.style_as_current(screen, app)
        assert screen._css_update_count == app._css_update_count


async def test_bindings_for_key_reads_a_widgets_own_bindings() -> None:
    field = Input()
    app = Bare(field)
    async with app.run_test():
        actions = [b.action for b in compat.bindings_for_key(field, "backspace")]
        assert actions == ["delete_left"]
        assert compat.bindings_for_key(field, "f10") == []


async def test_run_key_bindings_runs_the_binding_of_a_key() -> None:
    app = Bare(Input())
    async with app.run_test() as pilot:
        assert await compat.run_key_bindings(app, "f9")
        await pilot.pause()
        assert app.marked == 1
        assert not await compat.run_key_bindings(app, "f10")
        assert not await compat.run_key_bindings(app, "f9", priority=True)  # not priority


async def test_footer_bindings_ready_lets_a_footer_show_keys() -> None:
    class Held(Footer):
        def bindings_changed(self, screen: Screen[object]) -> None:
            pass  # never told by Textual: only footer_bindings_ready makes it show keys

    footer = Held()

    class WithFooter(Screen[None]):
        def compose(self) -> ComposeResult:
            yield footer

    app = Bare()
    async with app.run_test() as pilot:
        await app.push_screen(WithFooter())
        footer.refresh(recompose=True)
        await pilot.pause()
        assert not footer.children
        compat.footer_bindings_ready(footer)
        footer.refresh(recompose=True)
        await pilot.pause()
        assert footer.children


async def test_preset_footer_key_styles_each_key_once() -> None:
    from textual.widgets._footer import FooterKey

    class Preset(Footer):
        def compose(self) -> ComposeResult:
            for widget in super().compose():
                compat.preset_footer_key(widget, self.compact)
                yield widget

    restyled: list[str] = []

    class Counting(Bare):
        def update_styles(self, node: Any, animate: bool = True) -> None:
            if isinstance(node, FooterKey):
                restyled.append(type(node.parent).__name__)
            super().update_styles(node, animate)

    for footer_type in (Footer, Preset):
        app = Counting(footer_type())
        async with app.run_test() as pilot:
            await pilot.pause()
            keys = list(app.query(FooterKey).exclude(".-command-palette"))
            palette = app.query_one(".-command-palette", FooterKey)
            assert keys
            assert not any(key.compact or key.has_class("-compact") for key in keys)
            assert palette.compact and palette.has_class("-compact")  # not bound: as it was
            app.query_one(footer_type).compact = True  # still bound to the footer's value
            await pilot.pause()
            assert all(key.compact and key.has_class("-compact") for key in keys)
    # Footer's own bound keys are restyled twice each as they mount (the class added, then
    # removed) and once for the change; preset ones only for the change.
    assert restyled.count("Preset") == len(keys) + 1  # and the palette's key as it mounts
    assert restyled.count("Footer") == 3 * len(keys) + 1


async def test_notifications_lists_what_the_user_was_told() -> None:
    app = Bare()
    async with app.run_test() as pilot:
        app.notify("Nobody is waiting.", title="Queue")
        await pilot.pause()
        said = compat.notifications(app)
        assert [(n.title, n.message) for n in said] == [("Queue", "Nobody is waiting.")]


async def test_app_exception_keeps_what_stopped_the_app() -> None:
    class Broken(Bare):
        def on_mount(self) -> None:
            raise LookupError("boom")

    app = Broken()
    with pytest.raises(LookupError):
        async with app.run_test() as pilot:
            await pilot.pause()
    assert isinstance(compat.app_exception(app), LookupError)
    assert compat.app_exception(Bare()) is None


def test_watch_disabled_does_only_what_set_disabled_together_repeats() -> None:
    """set_disabled_together repeats Widget.watch_disabled for several widgets: a Leave
    for a hovered widget, blur the focused one, restyle. Anything new there must be
    repeated too."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(Widget.watch_disabled)))
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    assert called == {"put_nowait", "Leave", "blur", "update_node_styles"}


async def test_set_disabled_together_disables_restyles_and_blurs() -> None:
    one, two = Button("One", id="one"), Button("Two", id="two")
    app = Bare(one, two)
    async with app.run_test() as pilot:
        one.focus()
        await pilot.pause()
        compat.set_disabled_together([one, two], True)
        await pilot.pause()
        assert one.disabled and two.disabled
        assert one.has_pseudo_class("disabled") and two.has_pseudo_class("disabled")
        assert app.focused is None
        compat.set_disabled_together([one, two], False)
        await pilot.pause()
        assert not one.disabled and not two.has_pseudo_class("disabled")


def test_datatable_hooks_override_datatables_private_hooks() -> None:
    params = list(inspect.signature(DataTable._render_cell).parameters)
    assert params == ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"]
    assert callable(DataTable._clear_caches)


def keys(cache: Any) -> list[Any]:
    """An LRUCache's keys (it is not a mapping one can iterate)."""
    found: list[Any] = cache.keys()
    return list(found)


def _table(table: DataTable[Any]) -> DataTable[Any]:
    table.add_column("Ticket", key="ticket")
    table.add_column("Service", key="service")
    for key in "abc":
        table.add_row(f"A-{key}", "Info", key=key)
    return table


async def test_datatable_hooks_call_draw_cell_and_caches_cleared() -> None:
    class Counting(compat.DataTableHooks):
        drawn = 0
        cleared = 0

        def draw_cell(self, *args: Any) -> compat.SegmentLines:
            Counting.drawn += 1
            return super().draw_cell(*args)

        def caches_cleared(self) -> None:
            Counting.cleared += 1

    table = Counting()
    app = Bare(table)
    async with app.run_test() as pilot:
        _table(table)
        await pilot.pause()
        table.render_lines(Region(0, 0, table.size.width, 4))
        assert Counting.drawn > 0
        cleared = Counting.cleared
        table.clear()
        assert Counting.cleared > cleared


async def test_datatable_cell_access() -> None:
    table: DataTable[str] = DataTable()
    app = Bare(table)
    async with app.run_test():
        _table(table)
        assert compat.row_index_of(table, RowKey("b")) == 1
        assert compat.row_index_of(table, RowKey("z")) is None
        assert compat.has_column(table, ColumnKey("service"))
        assert not compat.has_column(table, ColumnKey("nope"))
        compat.set_cell_quietly(table, RowKey("b"), ColumnKey("service"), "BSN")
        assert table.get_cell("b", "service") == "BSN"
        assert compat.cell_at(table, 1, 1) == (RowKey("b"), "BSN")
        hover, pseudo = compat.draw_state(table)
        assert isinstance(hover, bool) and pseudo is not None


async def test_forget_drawn_rows_drops_only_that_rows_drawing() -> None:
    table: DataTable[str] = DataTable()
    app = Bare(table)
    async with app.run_test() as pilot:
        _table(table)
        await pilot.pause()
        table.render_lines(Region(0, 0, table.size.width, 4))
        # The shapes of DataTable's cache keys that forget_drawn_rows relies on.
        assert keys(table._cell_render_cache)
        assert all(isinstance(key[0], RowKey) for key in keys(table._cell_render_cache))
        assert all(isinstance(key[0], RowKey) for key in keys(table._row_render_cache))
        assert all(isinstance(key[1], int) for key in keys(table._row_renderable_cache))
        assert all(isinstance(key[0], int) for key in keys(table._line_cache))
        compat.forget_drawn_rows(table, {RowKey("b")}, few=16)
        assert RowKey("b") not in {key[0] for key in keys(table._cell_render_cache)}
        assert RowKey("a") in {key[0] for key in keys(table._cell_render_cache)}
        before = table._update_count
        compat.forget_drawn_rows(table, {RowKey("a"), RowKey("b")}, few=1)
        assert table._update_count == before + 1  # many rows: everything, as DataTable does
