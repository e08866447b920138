"""Search as you type: one search at a time, always ending on what is typed now.

A search (a name, a phone, a ticket number) takes a few milliseconds, so the lists search
on every key rather than after a pause. While one search runs, further keys only note
that the text moved on; when the answer comes, it is dropped and one more search starts
with what the field holds then. So a burst of keys (a fast typist, a paste, a scanner)
costs at most two searches, and an older answer never overwrites a newer one (thread
workers end in any order).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.worker import Worker, WorkerState

_RUNNING = (WorkerState.PENDING, WorkerState.RUNNING)


class LatestSearch:
    """``start`` begins a search (``run_service(...)``, whose ``done`` first asks
    :meth:`answered`) and returns its worker, or ``None`` when it answered at once."""

    def __init__(self, start: Callable[[], Worker[Any] | None]) -> None:
        self._start = start
        self._worker: Worker[Any] | None = None
        self._again = False

    def request(self) -> None:
        """The text changed (or Enter): search now, or once the running search is in."""
        if self._worker is not None and self._worker.state in _RUNNING:
            self._again = True
            return
        self._again = False
        self._worker = self._start()

    def answered(self) -> bool:
        """In the search's ``done``: True to show this answer; False when the text moved
        on meanwhile (a new search has started instead)."""
        self._worker = None
        if self._again:
            self.request()
            return False
        return True
