"""Running service calls off the UI thread.

Screens never wait on the database: :func:`run_service` runs the call in a thread worker
and hands the result (or the service's refusal) back on the UI thread. Anything else that
goes wrong (the database is gone, a bug) opens the App's error modal; the app goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from frontdesk.services import FrontdeskError
from frontdesk.services.errors import database_unreachable
from frontdesk.tui.base import frontdesk_app


@dataclass(frozen=True)
class RetryPolicy:
    """How a service call waits out a database that is busy or gone for a moment.

    Only errors :func:`database_unreachable` calls transient are retried (SQLite locked
    past its busy timeout, a dropped PostgreSQL connection), every ``seconds`` up to
    ``attempts`` times, with a banner; any other error opens the error modal at once. The
    App holds one (``FrontdeskApp(retry=...)``), so tests can make the wait short.
    """

    seconds: float = 3.0
    attempts: int = 40

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        return attempt < self.attempts and database_unreachable(error)


DEFAULT_RETRY = RetryPolicy()

T = TypeVar("T")


def run_service(
    node: DOMNode,
    call: Callable[[], T],
    *,
    done: Callable[[T], Any] | None = None,
    failed: Callable[[FrontdeskError], Any] | None = None,
    group: str = "service",
    exclusive: bool = False,
) -> Worker[None]:
    app = frontdesk_app(node)
    policy = app.retry

    def gone() -> bool:
        """The screen (or dialog) that asked is no longer shown, or the app is quitting:
        a log-out, Ctrl+Q or Escape while the call ran. Its widgets may be gone too."""
        return app.return_code is not None or (node is not app and not node.is_attached)

    def deliver(callback: Callable[..., Any], *args: Any) -> None:
        """Hand a result to the UI thread, unless nobody is waiting for it any more."""
        if gone():
            return

        def on_ui() -> None:
            if not gone():  # checked again: the screen may have gone while this waited
                callback(*args)

        try:
            app.call_from_thread(on_ui)
        except RuntimeError:  # the app stopped meanwhile
            if not gone():
                raise

    def job() -> None:
        attempt = 0
        back = True
        try:
            while True:
                try:
                    result = call()
                    break
                except FrontdeskError as exc:
                    deliver(failed or app.show_refusal, exc)
                    return
                except Exception as exc:  # the database failed us
                    if gone():  # a call of a screen taken down mid-way; nothing to show
                        return
                    if not policy.should_retry(exc, attempt) or get_current_worker().is_cancelled:
                        back = False
                        app.call_from_thread(app.show_unexpected, exc)
                        return
                    if attempt == 0:
                        app.call_from_thread(app.database_waiting, True)
                    attempt += 1
                    time.sleep(policy.seconds)
        finally:
            if attempt and app.return_code is None:
                app.call_from_thread(app.database_waiting, False, back)
        if done is not None:
            deliver(done, result)

    return node.run_worker(
        job,
        thread=True,
        exit_on_error=False,
        group=group,
        exclusive=exclusive,
        name=getattr(call, "__name__", group),
    )
