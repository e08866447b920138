"""When Python's garbage collector does its full collections: between key presses.

Python collects young objects often and cheaply, and now and then walks every object the
process holds (a full collection, long enough to be felt; far longer before start-up's
objects are frozen). On the desk these fell inside key presses (F4's p95). The desk
therefore leaves the objects of start-up out of the walk (``gc.freeze`` once its first queue
is shown), lets the automatic full collection come ten times less often, and does one itself
whenever the screen has had no key or click for a couple of seconds, so that the automatic
one seldom has anything to catch up on. Nothing is collected less: cycles are only found
later.
"""

from __future__ import annotations

import gc

# A full collection after this many young-generation (gen 1) collections; Python's is 10.
FULL_EVERY = 100
# No key or click for this long: a good moment for a full collection.
IDLE_SECONDS = 2.0

_state = {"frozen": False, "idle_collected": False}


def freeze_startup_objects() -> None:
    """Leave what start-up built (modules, mappers, widgets, the first queue) out of the
    full collections, and make the automatic ones rarer (see the module's text).

    Objects from start-up live as long as the app, so the collector need not look at them
    again (``gc.freeze``, once per process: it only moves lists, it collects nothing).
    """
    if not _state["frozen"]:
        _state["frozen"] = True
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_EVERY)


def collect_if_idle(idle_seconds: float) -> bool:
    """Called every few seconds with the time since the last key or click: one full
    collection per quiet spell. True when it collected."""
    if idle_seconds < IDLE_SECONDS:
        _state["idle_collected"] = False
        return False
    if _state["idle_collected"]:
        return False
    _state["idle_collected"] = True
    gc.collect()
    return True
