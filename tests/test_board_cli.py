"""`frontdesk board --web`: loopback unless asked, the same database, clear errors."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from frontdesk import cli
from frontdesk.config import load_settings


def test_web_board_binds_loopback_by_default(
    served: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    config = tmp_path / "none.toml"
    assert cli.main(["--config", str(config), "--db", url, "board", "--web"]) == 0
    (server,) = served
    assert server.host == "127.0.0.1" and server.port == 8000
    command = shlex.split(server.command)
    assert command[-1] == "board" and "--web" not in command
    assert command[command.index("--config") + 1] == str(config)
    # The board processes get the same database through the environment (no password
    # on a command line); monkeypatch restores the variable after the test.
    import os

    assert os.environ["FRONTDESK_DB"] == url
    assert url not in server.command


def test_web_board_other_address_and_port_only_when_asked(
    served: list[Any], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    args = ["--config", str(tmp_path / "none.toml"), "--db", url]
    assert cli.main([*args, "board", "--web", "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert (served[0].host, served[0].port) == ("0.0.0.0", 8123)


def test_board_arguments_and_bad_port(
    served: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parsed = cli.build_parser().parse_args(["board"])
    assert parsed.web is False and parsed.host == "127.0.0.1" and parsed.port == 8000
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    code = cli.main(
        ["--config", str(tmp_path / "x.toml"), "--db", url, "board", "--web", "--port", "0"]
    )
    assert code == cli.EXIT_USAGE and not served
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def test_board_command_runs_the_board_with_the_same_settings(tmp_path: Path) -> None:
    settings = load_settings(
        config_path=tmp_path / "c.toml", environ={}, db_url=f"sqlite:///{tmp_path}/x.db"
    )
    command = cli.board_command(settings)
    assert command[1:3] == ["-m", "frontdesk"] and command[-1] == "board"
