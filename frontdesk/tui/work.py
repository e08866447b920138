"""Running service calls off the UI thread.

Screens never wait on the database: :func:`run_service` runs the call in a thread worker
and hands the result (or the service's refusal) back on the UI thread. Anything else that
goes wrong (the database is gone, a bug) opens the App's error modal; the app goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker

from frontdesk.services import FrontdeskError

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
        try:
            result = call()
        except FrontdeskError as exc:
            handler = failed or app.show_refusal  # type: ignore[attr-defined]
            app.call_from_thread(handler, exc)
            return
        except Exception as exc:  # the database failed us: the App shows the error modal
            app.call_from_thread(app.show_unexpected, exc)  # type: ignore[attr-defined]
            return
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
