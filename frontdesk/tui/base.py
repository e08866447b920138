"""The typed seam between the screens and the services.

``self.app`` is typed as Textual's ``App``, which knows nothing of frontdesk's services,
settings or who is logged in. Every screen, dialog and widget reaches them through this
module instead: :func:`frontdesk_app` is the one place that says the running App is a
``FrontdeskApp`` (the one ``cast``), and :class:`FrontdeskScreen` / :class:`FrontdeskModal`
give screens typed ``services``, ``actor`` and ``settings`` properties on top of it.
"""

from __future__ import annotations

import asyncio
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from frontdesk.config import Settings
from frontdesk.services import Actor, FrontdeskError, Services

if TYPE_CHECKING:  # app.py imports the screens; at run time the App is just self.app
    from frontdesk.tui.app import FrontdeskApp

ResultType = TypeVar("ResultType")


def frontdesk_app(node: DOMNode) -> FrontdeskApp:
    """The running App of any screen, dialog or widget: always a FrontdeskApp."""
    return cast("FrontdeskApp", node.app)


def services_of(node: DOMNode) -> Services:
    return frontdesk_app(node).services


class NotLoggedIn(FrontdeskError):
    """An action of a working screen ran after its user logged out (or before a login)."""

    def __init__(self) -> None:
        super().__init__("Nobody is logged in on this desk.")


def actor_of(node: DOMNode) -> Actor:
    """Who is logged in. The working screens and their dialogs open only after a login."""
    actor = frontdesk_app(node).actor
    if actor is None:
        raise NotLoggedIn()
    return actor


class Reloads:
    """How many times a screen's (or a lead tab's) list has been drawn from a fresh read.

    The screen calls :meth:`drawn` once the rows of a reload are in its table, whether an
    action, a timer or the queue signal asked for it. The app itself never reads this; it
    lets a test wait for the next reload (``await screen.reloads.next()``) instead of
    sleeping or polling the rows.
    """

    def __init__(self) -> None:
        self.count = 0
        self._waiting: asyncio.Event | None = None

    def drawn(self) -> None:
        self.count += 1
        if self._waiting is not None:
            self._waiting.set()
            self._waiting = None

    async def next(self) -> int:
        """Wait for the next reload to be drawn; the count after it."""
        if self._waiting is None:
            self._waiting = asyncio.Event()
        await self._waiting.wait()
        return self.count


class Seam:
    """Typed access to the App's services, settings and user, for screens and dialogs."""

    @cached_property
    def reloads(self) -> Reloads:
        return Reloads()

    @property
    def frontdesk(self) -> FrontdeskApp:
        return frontdesk_app(cast(DOMNode, self))

    @property
    def services(self) -> Services:
        return self.frontdesk.services

    @property
    def actor(self) -> Actor:
        return actor_of(cast(DOMNode, self))

    @property
    def settings(self) -> Settings:
        return self.frontdesk.settings

    def show_refusal(self, error: FrontdeskError) -> None:
        """A service said no: tell the user (field errors go beside their field instead)."""
        self.frontdesk.show_refusal(error)


class FrontdeskScreen(Seam, Screen[ResultType]):
    """A full screen of frontdesk (the working screens, login, register, find)."""


class FrontdeskModal(Seam, ModalScreen[ResultType]):
    """A dialog of frontdesk."""
