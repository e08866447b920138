"""The desk's garbage-collection policy: full collections between key presses."""

from __future__ import annotations

import gc

import pytest

from frontdesk.tui import collector


def test_one_full_collection_per_quiet_spell(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *_a: runs.append(1) or 0)
    collector.collect_if_idle(0.0)  # a key: whatever ran before, a new spell starts
    assert not collector.collect_if_idle(0.5)  # typing: never
    assert collector.collect_if_idle(collector.IDLE_SECONDS)  # quiet: once
    assert not collector.collect_if_idle(30.0)  # still the same quiet spell
    assert not collector.collect_if_idle(0.1)  # a key
    assert collector.collect_if_idle(5.0)  # the next quiet spell
    assert len(runs) == 2


def test_after_start_up_full_collections_come_less_often() -> None:
    collector.freeze_startup_objects()
    assert gc.get_threshold()[2] == collector.FULL_EVERY
    assert gc.get_freeze_count() > 0
