"""Search as you type (tui/search.py): F3 and F2's name search on every key, one search at
a time, and the list always ends on what is typed last (an older answer never wins)."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList
from textual.worker import WorkerState

from frontdesk.services import Actor, Services
from frontdesk.tui.desk.find import FindScreen
from frontdesk.tui.desk.register import RegisterScreen
from frontdesk.tui.search import LatestSearch
from tests.conftest import add_staff
from tests.helpers import at_desk, press, walk_in


class _Worker:
    def __init__(self) -> None:
        self.state = WorkerState.RUNNING


def test_keys_while_a_search_runs_start_one_more_search_with_the_last_text() -> None:
    started: list[str] = []
    text = ["a"]
    workers: list[_Worker] = []

    def start() -> Any:
        started.append(text[0])
        workers.append(_Worker())
        return workers[-1]

    search = LatestSearch(start)
    search.request()
    for typed in ("ad", "ada", "adam"):  # typed while the first search runs
        text[0] = typed
        search.request()
    assert started == ["a"]
    assert not search.answered()  # "a"'s answer is dropped: the text moved on...
    assert started == ["a", "adam"]  # ...and one more search runs, with the last text
    assert search.answered()  # its answer is shown
    workers[-1].state = WorkerState.SUCCESS
    text[0] = "adams"
    search.request()  # nothing runs: searched at once
    assert started == ["a", "adam", "adams"]


def test_a_search_that_ended_without_an_answer_does_not_block_the_next() -> None:
    """A search whose worker ended in an error (the error modal) never calls answered()."""
    workers: list[_Worker] = []

    def start() -> Any:
        workers.append(_Worker())
        return workers[-1]

    search = LatestSearch(start)
    search.request()
    workers[-1].state = WorkerState.SUCCESS  # ended, no answer delivered
    search.request()
    assert len(workers) == 2


def _names(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_f3_lists_what_is_typed_without_a_pause_or_enter(desk_services: Services) -> None:
    clerk: Actor = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    walk_in(desk_services, clerk, "Adam")
    walk_in(desk_services, clerk, "Ada")
    walk_in(desk_services, clerk, "Bea")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f3")
        assert isinstance(app.screen, FindScreen)
        await press(pilot, *"adam")  # a burst: the keys arrive while the first search runs
        names = _names(app.screen.query_one("#results", OptionList))
        assert len(names) == 1 and "Adam" in names[0]
        await press(pilot, "backspace")
        names = _names(app.screen.query_one("#results", OptionList))
        assert len(names) == 2 and not any("Bea" in n for n in names)


async def test_f2_offers_returning_visitors_as_the_name_is_typed(desk_services: Services) -> None:
    clerk: Actor = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    walk_in(desk_services, clerk, "Adam")
    walk_in(desk_services, clerk, "Bea")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f2")
        assert isinstance(app.screen, RegisterScreen)
        await press(pilot, *"ad")
        names = _names(app.screen.query_one("#returning", OptionList))
        assert len(names) == 1 and "Adam" in names[0]
        await press(pilot, "backspace")  # one letter: too short to search, the list empties
        assert _names(app.screen.query_one("#returning", OptionList)) == []
