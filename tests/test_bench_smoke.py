"""The benchmark harness's quick mode runs end to end (small data; no targets enforced)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The sdist ships the tests but not the benchmark harness.
pytestmark = pytest.mark.skipif(
    not (ROOT / "bench" / "run.py").is_file(), reason="the benchmark harness (bench/) is not here"
)


@pytest.mark.slow
def test_quick_benchmark_prints_every_figure(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--db", url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a generous net for a loaded CI machine; quiet, the run takes ~70 s
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = done.stdout
    for figure in (
        "load average",
        "login screen on screen",
        "peak RSS of a logged-in desk",
        "PIN Enter -> desk",
        "F4 -> the called visitor's card drawn",
        "a keystroke in F3",
        "a keystroke in F2's name",
        "another desk's call visible",
        "a call visible on the terminal board",
        "on the board in a browser",  # measured, or skipped where chromium is missing
        "lead screen: Alt+5",
        "lead screen: Ctrl+R",
        "find a visitor or ticket, p95",
        "register a walk-in",
        "call next + finish, one desk",
        "appointment rows",
        "a registration while that import runs",
        "audit browser first page",
        "day report",
        "month report",
        "year report",
        "soak: tickets lost",
        "soak: tickets double-called",
        "soak: actions refused",
        "  soak: call next, service call p95",
        "database size per 100,000 tickets",
    ):
        assert figure in table
    for prefix in (
        "soak: tickets lost",
        "soak: tickets double-called",
        "soak: actions refused",
        "  registrations refused during the import",
    ):
        line = next(row for row in table.splitlines() if row.startswith(prefix))
        assert line.endswith(" ok"), line
