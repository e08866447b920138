"""Running service calls off the UI thread.

Screens never wait on the database: :func:`run_service` runs the call in a thread worker
and hands the result (or the service's refusal) back on the UI thread. Anything else that
goes wrong (the database is gone, a bug) opens the App's error modal; the app goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from frontdesk.services import FrontdeskError
from frontdesk.services.errors import database_unreachable

# A busy or unreachable database: retry every few seconds for a while, with a banner.
RETRY_SECONDS = 3.0
RETRY_ATTEMPTS = 40

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
    app = node.app

    def job() -> None:
        attempt = 0
        back = True
        try:
            while True:
                try:
                    result = call()
                    break
                except FrontdeskError as exc:
                    handler = failed or app.show_refusal  # type: ignore[attr-defined]
                    app.call_from_thread(handler, exc)
                    return
                except Exception as exc:  # the database failed us
                    retry = database_unreachable(exc) and attempt < RETRY_ATTEMPTS
                    if not retry or get_current_worker().is_cancelled:
                        back = False
                        app.call_from_thread(app.show_unexpected, exc)  # type: ignore[attr-defined]
                        return
                    if attempt == 0:
                        app.call_from_thread(app.database_waiting, True)  # type: ignore[attr-defined]
                    attempt += 1
                    time.sleep(RETRY_SECONDS)
        finally:
            if attempt:
                app.call_from_thread(app.database_waiting, False, back)  # type: ignore[attr-defined]
        if done is not None:
            app.call_from_thread(done, result)

    return node.run_worker(
        job,
        thread=True,
        exit_on_error=False,
        group=group,
        exclusive=exclusive,
        name=getattr(call, "__name__", group),
    )
