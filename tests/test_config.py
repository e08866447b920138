"""Settings: file < environment < flags, and clear refusals of a bad config file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from frontdesk.config import (
    DEFAULT_HOURS,
    DEFAULT_SERVICES,
    ConfigError,
    Hours,
    Settings,
    load_settings,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(config_path=tmp_path / "missing.toml", environ={})
    assert settings.desk == 1
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.idle_lock_minutes == 5.0
    assert settings.hours == DEFAULT_HOURS
    assert settings.services == DEFAULT_SERVICES
    assert settings.db_url.startswith("sqlite:///")
    assert settings.config_path == tmp_path / "missing.toml"


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'db = "sqlite:///from-file.sqlite3"\ndesk = 3\nstaff = "File Person"\n',
    )
    from_file = load_settings(config_path=path, environ={})
    assert (from_file.db_url, from_file.desk, from_file.staff) == (
        "sqlite:///from-file.sqlite3",
        3,
        "File Person",
    )
    env = {
        "FRONTDESK_DB": "sqlite:///from-env.sqlite3",
        "FRONTDESK_DESK": "4",
        "FRONTDESK_STAFF": "Env Person",
    }
    from_env = load_settings(config_path=path, environ=env)
    assert (from_env.db_url, from_env.desk, from_env.staff) == (
        "sqlite:///from-env.sqlite3",
        4,
        "Env Person",
    )
    from_flags = load_settings(
        config_path=path, environ=env, db_url="sqlite:///flag.sqlite3", desk=5, staff="Flag"
    )
    assert (from_flags.db_url, from_flags.desk, from_flags.staff) == (
        "sqlite:///flag.sqlite3",
        5,
        "Flag",
    )
    # A flag not given leaves the environment's value.
    partly = load_settings(config_path=path, environ=env, desk=6, db_url=None)
    assert (partly.db_url, partly.desk) == ("sqlite:///from-env.sqlite3", 6)


def test_frontdesk_config_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "desk = 7\n")
    assert load_settings(environ={"FRONTDESK_CONFIG": str(path)}).desk == 7


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
db = "postgresql+psycopg://desk@server/frontdesk"
desk = 2
staff = "Anne de Vries"
timezone = "Europe/Brussels"
idle_lock_minutes = 2
lockout_attempts = 3
lockout_minutes = 10
target_wait_minutes = 20
retention_days = 730
bsn_storage = "issued_flag"
desk_services = ["info", "welcome_pack"]

[hours.walk_in]
mon = ["15:00-17:00"]
tue = "09:00-12:00"

[hours.bsn_appointments]
wed = ["09:00-12:15", "13:00-16:30"]

[[services]]
code = "info"
name = "Information & advice"
prefix = "a"
minutes = 20

[[services]]
code = "bsn_registration"
name = "BSN registration"
prefix = "B"
by_appointment = true

[keymap]
call_next = "f9"
help = "f1,question_mark"
""",
    )
    s = load_settings(config_path=path, environ={})
    assert s.db_url == "postgresql+psycopg://desk@server/frontdesk"
    assert (s.desk, s.staff, s.timezone) == (2, "Anne de Vries", "Europe/Brussels")
    assert s.idle_lock_minutes == 2.0
    assert (s.lockout_attempts, s.lockout_minutes) == (3, 10)
    assert (s.target_wait_minutes, s.retention_days, s.bsn_storage) == (20, 730, "issued_flag")
    assert s.desk_services == ("info", "welcome_pack")
    assert s.hours == (
        Hours(0, time(15), time(17), "walk_in"),
        Hours(1, time(9), time(12), "walk_in"),
        Hours(2, time(9), time(12, 15), "bsn_appointments"),
        Hours(2, time(13), time(16, 30), "bsn_appointments"),
    )
    assert [(x.code, x.prefix, x.minutes, x.by_appointment) for x in s.services] == [
        ("info", "A", 20, False),
        ("bsn_registration", "B", 15, True),
    ]
    assert dict(s.keymap) == {"call_next": "f9", "help": "f1,question_mark"}


def test_a_syntax_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'desk = 2\ntimezone = "Europe/Amsterdam\nstaff = "x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(config_path=path, environ={})
    message = str(err.value)
    assert str(path) in message
    assert "line 2" in message


def test_a_file_that_ends_too_soon_names_its_last_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "desk = 2\ndesk_services = [\n")
    with pytest.raises(ConfigError, match="at line 2, end of file"):
        load_settings(config_path=path, environ={})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("colour = 'blue'\n", "unknown setting 'colour'"),
        ("[database]\nurl = 'x'\n", "unknown setting 'database'"),
        ("desk = 'two'\n", "desk must be a whole number"),
        ("idle_lock_minutes = true\n", "idle_lock_minutes must be a number"),
        ("desk_services = 'info'\n", "desk_services must be a list"),
        ("[hours.walk_in]\nmon = ['17:00-09:00']\n", "ends before it starts"),
        ("[hours.walk_in]\nmon = ['25:00-26:00']\n", "is not a time"),
        ("[hours.walk_in]\nmon = ['9 to 5']\n", 'write a span as "09:00-12:15"'),
        ("[hours.walk_in]\nmonday = ['09:00-12:00']\n", "'monday' is not one of"),
        ("[hours.evening]\nmon = ['19:00-21:00']\n", "not 'evening'"),
        ("hours = 'always'\n", "[hours] must be a table"),
        ("[[services]]\ncode = 'x'\nname = 'X'\n", "needs 'prefix'"),
        ("[[services]]\ncode = 'x'\nname = 'X'\nprefix = 'B7'\n", "one or two letters"),
        ("keymap = 'f4'\n", "[keymap] maps action ids to keys"),
        ("[keymap]\ncall_next = 4\n", "[keymap] maps action ids to keys"),
        ("[keymap]\ncall_next = ''\n", "[keymap] maps action ids to keys"),
        ("[keymap]\ncall_next = 'ctrl f4'\n", "[keymap] maps action ids to keys"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(config_path=path, environ={})
    assert words in str(err.value)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"desk": 0}, "between 1 and 99"),
        ({"desk": 100}, "between 1 and 99"),
        ({"idle_lock_minutes": 0}, "between 0.5 and 240 minutes"),
        ({"bsn_storage": "encrypted"}, "bsn_storage"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, fields: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_settings(config_path=tmp_path / "none.toml", environ={}, **fields)


def test_a_bad_desk_in_the_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="FRONTDESK_DESK"):
        load_settings(config_path=tmp_path / "none.toml", environ={"FRONTDESK_DESK": "two"})


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().desk = 2  # type: ignore[misc]


def test_the_documented_example_is_a_valid_config(tmp_path: Path) -> None:
    guide = Path(__file__).parent.parent / "docs" / "configuration.md"
    configuration = guide.read_text(encoding="utf-8").split("\n## Every setting\n", 1)[1]
    example = configuration.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = load_settings(config_path=_write(tmp_path, example), environ={})
    assert settings.desk == 2
    assert settings.hours == DEFAULT_HOURS
    assert settings.services == DEFAULT_SERVICES
    assert settings.exempt_employers == ("Leiden University",)
    defaults = Settings()
    names = ("timezone", "idle_lock_minutes", "lockout_attempts", "lockout_minutes")
    names += ("target_wait_minutes", "retention_days", "bsn_storage", "desk_services")
    names += ("fees", "referral_follow_up_days", "partner_categories")
    for name in names:
        assert getattr(settings, name) == getattr(defaults, name), name
