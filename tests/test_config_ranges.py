"""Every number in the settings has a range; nonsense is refused at start.

A lockout of -10 minutes turned the lockout off (the right PIN was accepted after 50 wrong
ones, and the screen said "locked for -10 minutes"). Through the command line, from the
file, the environment and the flags: exit status 2 and one line naming the setting and
its range.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.config import RANGES, ConfigError, load_settings, range_words

BAD_VALUES = [
    ("lockout_minutes", "-10", "lockout_minutes must be between 1 and 1440 minutes"),
    ("lockout_minutes", "1441", "lockout_minutes must be between 1 and 1440 minutes"),
    ("lockout_attempts", "-3", "lockout_attempts must be between 1 and 20 wrong PINs"),
    ("lockout_attempts", "0", "lockout_attempts must be between 1 and 20 wrong PINs"),
    ("lockout_attempts", "21", "lockout_attempts must be between 1 and 20 wrong PINs"),
    ("retention_days", "-1", "retention_days must be between 30 and 3650 days"),
    ("retention_days", "29", "retention_days must be between 30 and 3650 days"),
    ("target_wait_minutes", "-5", "target_wait_minutes must be between 1 and 240 minutes"),
    ("target_wait_minutes", "0", "target_wait_minutes must be between 1 and 240 minutes"),
    ("idle_lock_minutes", "0", "idle_lock_minutes must be between 0.5 and 240 minutes"),
    ("idle_lock_minutes", "nan", "idle_lock_minutes must be between 0.5 and 240 minutes"),
    ("idle_lock_minutes", "inf", "idle_lock_minutes must be between 0.5 and 240 minutes"),
    ("desk", "0", "desk must be between 1 and 99"),
    ("desk", "100", "desk must be between 1 and 99"),
    ("desk", str(2**70), "desk must be between 1 and 99"),
    ("referral_follow_up_days", "91", "referral_follow_up_days must be between 1 and 90 days"),
]


pytestmark = pytest.mark.usefixtures("clean_environment")


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    try:
        status = main(argv)
    except SystemExit as done:  # argparse
        status = int(done.code or 0)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("frontdesk: ")
    return lines[0]


@pytest.mark.parametrize(("name", "value", "words"), BAD_VALUES)
def test_the_cli_refuses_a_config_file_out_of_range(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, value: str, words: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f"{name} = {value}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    line = _refused(capsys, ["--config", str(bad), "--db", db, "db", "upgrade"])
    assert line == f"frontdesk: {bad}: {words}"
    assert not (tmp_path / "fd.sqlite3").exists(), "refused, yet the database was made"


def test_the_cli_refuses_a_desk_out_of_range_from_the_environment_and_the_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    monkeypatch.setenv("FRONTDESK_DESK", "-2")
    line = _refused(capsys, ["--db", db, "db", "upgrade"])
    assert line == "frontdesk: FRONTDESK_DESK: desk must be between 1 and 99"
    monkeypatch.delenv("FRONTDESK_DESK")
    line = _refused(capsys, ["--db", db, "--desk", "300", "db", "upgrade"])
    assert line == "frontdesk: --desk: desk must be between 1 and 99"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[services]]\ncode='x'\nname='X'\nprefix='X'\nminutes=0\n", "between 1 and 480"),
        ("[[services]]\ncode='x'\nname='X'\nprefix='X'\nminutes=-30\n", "between 1 and 480"),
        (f"[[services]]\ncode='x'\nname='X'\nprefix='X'\nminutes={2**64}\n", "between 1 and 480"),
        ("[[services]]\ncode='x'\nname='X'\nprefix='X'\nminutes=1.5\n", "whole number"),
        ("fees = {first = -50.0}\n", "fees.first must be between 0 and 1000 euro"),
        ("fees = {child = nan}\n", "fees.child must be between 0 and 1000 euro"),
        ("fees = {partner = 1e9}\n", "fees.partner must be between 0 and 1000 euro"),
    ],
)
def test_service_minutes_and_fees_have_ranges(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, words: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    line = _refused(capsys, ["--config", str(bad), "db", "upgrade"])
    assert str(bad) in line and words in line


def test_the_board_port_has_a_range(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    for port in ("0", "70000", "-1"):
        line = _refused(capsys, ["--db", db, "board", "--web", "--port", port])
        assert line == "frontdesk: --port must be between 1 and 65535"


@pytest.mark.parametrize("name", sorted(RANGES))
def test_both_ends_of_every_range_load(tmp_path: Path, name: str) -> None:
    low, high, _unit = RANGES[name]
    for value in (low, high):
        shown = float(value) if name == "idle_lock_minutes" else int(value)
        text = f"{name} = {shown}\n"
        path = tmp_path / "ok.toml"
        path.write_text(text, encoding="utf-8")
        settings = load_settings(config_path=path, environ={})
        assert math.isclose(getattr(settings, name), value)


def test_the_configuration_guide_lists_every_range() -> None:
    guide = Path(__file__).parent.parent / "docs" / "configuration.md"
    text = guide.read_text(encoding="utf-8")
    for name in RANGES:
        assert range_words(name) in text, name


def test_a_flag_out_of_range_is_refused_by_load_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--lockout_minutes: lockout_minutes must be"):
        load_settings(config_path=tmp_path / "none.toml", environ={}, lockout_minutes=-10)
