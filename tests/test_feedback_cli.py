"""`frontdesk feedback --desk N`: the desk is required, --web is loopback by default and
runs the tablet per browser on the same database; bad flags are one line and exit 2."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from frontdesk import cli


def test_web_tablet_binds_loopback_and_runs_the_desks_tablet(
    served: list[Any], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    config = tmp_path / "none.toml"
    args = ["--config", str(config), "--db", url, "feedback", "--desk", "3", "--web"]
    assert cli.main(args) == 0
    (server,) = served
    assert server.host == "127.0.0.1" and server.port == 8010 and server.max_boards == 2
    command = shlex.split(server.command)
    assert command[-3:] == ["feedback", "--desk", "3"] and "--web" not in command
    assert "rating tablet" in server.full_page().text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["feedback"], "the following arguments are required: --desk"),
        (["feedback", "--desk", "0"], "must be between 1 and 99"),
        (["feedback", "--desk", "two"], "give the desk's number"),
        (["feedback", "--desk", "1", "--web", "--port", "0"], "--port must be between 1 and"),
        (["feedback", "--desk", "1", "--web", "--max-tablets", "50"], "--max-tablets must be"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    served: list[Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    try:  # argparse's own errors end with SystemExit(2); the command's return 2
        status = cli.main(["--config", str(tmp_path / "none.toml"), "--db", url, *args])
    except SystemExit as exc:
        status = int(str(exc.code))
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert served == []
