"""What every figure of the benchmark shares: the Figure row, its statistics, timing
and interleaving with an anchor, the probes run in a process of their own."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from frontdesk.services import Actor, Services

HERE = Path(__file__).parent
PYTHON = sys.executable
LEAD = Actor(1, "Bench Staff 00", "lead", 1, "bench")
CLERK = Actor(2, "Bench Staff 01", "desk", 1, "bench")


@dataclass
class Figure:
    name: str
    values: Sequence[float]  # the samples (one for a single measurement)
    anchor: Sequence[float] | None
    unit: str
    target: str
    ok: bool | None  # None: reported only
    stat: str = "median"  # "median", "p95" or "max"
    error: str | None = None  # the measurement failed: why (no values then)

    def of(self, values: Sequence[float]) -> float:
        if self.stat == "max":
            return max(values)
        return _pctl(values, 0.95) if self.stat == "p95" else statistics.median(values)

    @property
    def value(self) -> float:
        return self.of(self.values)

    @property
    def anchor_value(self) -> float | None:
        return self.of(self.anchor) if self.anchor else None

    @property
    def ratio(self) -> float | None:
        a = self.anchor_value
        return self.value / a if a else None


class ProbeFailed(Exception):
    """A measurement could not be taken (a probe timed out or crashed)."""


def failed(name: str, error: BaseException | str) -> Figure:
    """The row of a figure that could not be measured: printed, and counted as a failure
    (the run goes on with the other groups and exits non-zero at the end)."""
    why = " ".join(str(error).split()) or type(error).__name__
    return Figure(name, [], None, "", "", False, error=why[-300:])


def _pctl(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _spread(values: Sequence[float] | None) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return "n=1"
    return f"{_num(min(values))}-{_num(max(values))} n={len(values)}"


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _time(fn: Callable[[], object], repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _interleaved(ours: Callable[[], object], anchor: Callable[[], object], n: int) -> tuple:
    """n samples of each, alternating A B A B (the anchor first in odd rounds)."""
    a: list[float] = []
    b: list[float] = []
    for i in range(n):
        if i % 2:
            b += _time(anchor)
            a += _time(ours)
        else:
            a += _time(ours)
            b += _time(anchor)
    return a, b


def _run_probe(*args: str, timeout: float = 900) -> Any:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    done = subprocess.run(
        [PYTHON, str(HERE / "probe_startup.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise ProbeFailed(f"probe {args[0]} failed: {done.stderr.strip()[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _dialect(url: str) -> str:
    return make_url(url).get_backend_name()


# -- the desk's queue, reset to mid-morning --------------------------------------------------
# Today's tickets of earlier runs, removed with what points at them (the children first).
_TODAY = "SELECT id FROM tickets WHERE day = :d"
_CLEAR_TODAY = (
    f"DELETE FROM ratings WHERE ticket_id IN ({_TODAY})",
    f"UPDATE appointments SET ticket_id = NULL WHERE ticket_id IN ({_TODAY})",
    f"DELETE FROM ticket_events WHERE ticket_id IN ({_TODAY})",
    "DELETE FROM tickets WHERE day = :d",
    "DELETE FROM ticket_counters WHERE day = :d",
)


def reset_queue(services: Services, waiting: int) -> None:
    """Today's queue as at mid-morning: every ticket of today that earlier runs (and
    earlier groups of this run) left behind is removed, with its events, so today holds
    only ``waiting`` visitors waiting (a third for BSN collection), issued by the
    services, and the numbers start again at 1. (Cancelling them instead piled up
    thousands of tickets on today, which every read of today's queue then paid for.)"""
    with services.db.write() as session:
        for statement in _CLEAR_TODAY:
            session.execute(text(statement), {"d": services.clock.today()})
    for i in range(waiting):
        services.queue.issue(
            LEAD, "info" if i % 3 else "bsn_collection", visitor_id=i + 1, second_ticket=True
        )
