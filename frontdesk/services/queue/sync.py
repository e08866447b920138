"""A cheap signal that the queue may have changed, so desks and boards read it at once.

Desks and boards keep today's queue on screen and read only what changed since their
version (``QueueService.changed_since``). Polling that read every second made another
desk's call appear up to a second late. Instead, one thread per process watches a change
signal the database gives almost for free, and counts:

- SQLite: ``PRAGMA data_version`` on a connection of its own, every 0.1 s. The number moves
  whenever another connection (another desk's process, or this process's own pool) has
  committed anything to the file.
- PostgreSQL: ``LISTEN frontdesk_queue`` on a connection of its own. Every write that adds
  a ticket event also sends ``NOTIFY frontdesk_queue`` in its transaction
  (:func:`announce`), so the signal arrives once the change is committed, never before.

The signal only says *look now*. A screen that sees :attr:`QueueSignal.generation` move
(or is told at once, :meth:`QueueSignal.listen`) reads the queue's version as before; a
signal that never comes (a dropped connection, a write made by something other than
frontdesk) only delays an update until the screen's slower fallback poll, it never loses
one. After the watcher (re)connects it moves the count once, since anything may have
happened while it was away.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from frontdesk.db import Database

CHANNEL = "frontdesk_queue"
# How often the SQLite watcher reads data_version, and how long the PostgreSQL watcher
# waits for a notification before it checks whether it should stop.
INTERVAL_SECONDS = 0.1
# After the watcher lost its connection: the pause before it tries again.
RETRY_SECONDS = 1.0

_NOTIFY = text(f"NOTIFY {CHANNEL}")


def announce(session: Session) -> None:
    """In a write transaction that changed the queue: tell the listening desks on commit.

    PostgreSQL delivers the notification when (and only if) the transaction commits, and
    sends one per channel per transaction however often this is called. On SQLite nothing
    is needed: ``PRAGMA data_version`` already moves on every commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY)


class QueueSignal:
    """Counts the signals that the queue may have changed (see the module's docstring).

    ``generation`` is read from any thread; the watcher thread starts with ``start()``
    (idempotent) and ends with ``stop()``. A database the watcher cannot watch (SQLite in
    memory) never moves the count: the screens' fallback poll is all there is."""

    def __init__(self, db: Database) -> None:
        self.url = make_url(db.url)
        self._generation = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[], object]] = []

    @property
    def generation(self) -> int:
        return self._generation

    def bump(self) -> None:
        """Something may have changed (the watcher calls this; tests may too)."""
        with self._lock:
            self._generation += 1
            listeners = list(self._listeners)
        for listener in listeners:
            # A listener's failure (its app closing) must not stop the watcher.
            with contextlib.suppress(Exception):
                listener()

    def listen(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call ``callback`` each time the count moves, in the thread that moved it (the
        watcher's): it must be quick and thread-safe, like Textual's ``post_message``.
        A screen told at once starts its read at once, instead of at its next look at
        ``generation``. Returns the function that stops the calls."""
        with self._lock:
            self._listeners.append(callback)

        def stop() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return stop

    @property
    def watchable(self) -> bool:
        backend = self.url.get_backend_name()
        if backend == "sqlite":
            return bool(self.url.database) and self.url.database != ":memory:"
        return backend == "postgresql"

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or not self.watchable:
                return
            sqlite = self.url.get_backend_name() == "sqlite"
            watch = self._watch_sqlite if sqlite else self._watch_pg
            self._thread = threading.Thread(target=watch, name="queue-signal", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=2 * RETRY_SECONDS)

    # -- the watchers (in the watcher thread) --------------------------------------------
    def _watch_sqlite(self) -> None:
        path = str(self.url.database)
        while not self._stop.is_set():
            try:
                # Autocommit (isolation_level=None): a transaction left open would pin the
                # snapshot, and data_version would never move.
                conn = sqlite3.connect(path, timeout=RETRY_SECONDS, isolation_level=None)
            except sqlite3.Error:
                self._stop.wait(RETRY_SECONDS)
                continue
            try:
                self._poll_data_version(conn)
            except sqlite3.Error:
                self._stop.wait(RETRY_SECONDS)
            finally:
                conn.close()

    def _poll_data_version(self, conn: sqlite3.Connection) -> None:
        last = conn.execute("PRAGMA data_version").fetchone()[0]
        self.bump()  # (re)connected: anything may have happened meanwhile
        while not self._stop.wait(INTERVAL_SECONDS):
            now = conn.execute("PRAGMA data_version").fetchone()[0]
            if now != last:
                last = now
                self.bump()

    def _watch_pg(self) -> None:
        import psycopg

        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.bump()  # (re)connected: anything may have happened meanwhile
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=INTERVAL_SECONDS * 5, stop_after=1):
                            self.bump()
            except psycopg.Error:
                self._stop.wait(RETRY_SECONDS)
