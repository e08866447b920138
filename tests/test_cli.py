"""The command line: exit statuses, one clear line on stderr, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontdesk import __version__
from tests.helpers import one_clean_line, run

pytestmark = pytest.mark.usefixtures("clean_environment")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"frontdesk {__version__}"


def test_help_of_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["staff", "add", "--help"], ["demo", "--help"], ["db", "--help"]):
        assert run(argv) == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: frontdesk")


def test_staff_add_then_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    assert run(["--db", db, "staff", "list"]) == 0
    assert "no staff yet" in capsys.readouterr().out
    assert run(["--db", db, "staff", "add", "--name", "Anne de Vries", "--role", "lead",
                "--pin-stdin"], stdin="135790\n") == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == "added Anne de Vries (lead)"
    assert run(["--db", db, "staff", "add", "--name", "Bo Jansen", "--role", "intern",
                "--pin-stdin"], stdin="2468\n") == 0  # fmt: skip
    capsys.readouterr()
    assert run(["--db", db, "staff", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["Anne de Vries\tlead", "Bo Jansen\tintern"]
    assert run(["--db", db, "staff", "deactivate", "--name", "bo jansen"]) == 0
    assert capsys.readouterr().out.strip() == "deactivated Bo Jansen"
    assert run(["--db", db, "staff", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Anne de Vries\tlead",
        "Bo Jansen\tintern  (deactivated)",
    ]
    # The PIN works: the services log the person in with it.
    from frontdesk.config import Settings
    from frontdesk.services import Services

    services = Services.open(Settings(db_url=db))
    try:
        anne = services.staff.find_by_name("Anne de Vries")
        assert anne is not None
        assert services.staff.login(anne.id, "135790").role == "lead"
        entries = services.audit.recent(services.staff.login(anne.id, "135790"))
        assert {e.action for e in entries} >= {"staff.add", "staff.deactivate"}
        assert {e.origin for e in entries if e.action == "staff.add"} == {"command line"}
    finally:
        services.close()


@pytest.mark.parametrize(
    ("argv", "stdin", "words"),
    [
        (["staff", "add", "--name", "Bo", "--role", "boss", "--pin-stdin"], "2468\n",
         "invalid choice: 'boss'"),
        (["staff", "add", "--name", "   ", "--role", "desk", "--pin-stdin"], "2468\n",
         "name is required"),
        (["staff", "add", "--name", "Bo", "--role", "desk", "--pin-stdin"], "12\n",
         "at least 4 digits"),
        (["staff", "add", "--name", "Bo", "--role", "desk", "--pin-stdin"], "12ab\n",
         "digits only"),
        (["staff", "add", "--name", "Bo", "--role", "desk", "--pin-stdin"], "1234567890123\n",
         "at most 12 digits"),
        (["staff", "add", "--name", "Bo", "--role", "desk"], "",
         "no terminal to type the PIN in"),
        (["staff", "deactivate", "--name", "Nobody"], None, "no staff member is called"),
        (["staff"], None, "required"),
        (["staff", "fire"], None, "invalid choice"),
        (["--desk", "0", "staff", "list"], None, "between 1 and 99"),
        (["--desk", "two", "staff", "list"], None, "invalid int value"),
        (["demo", "--days", "-1"], None, "--days must be between"),
        (["launch"], None, "invalid choice"),
    ],
)  # fmt: skip
def test_bad_arguments(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], stdin: str | None,
    words: str,
) -> None:  # fmt: skip
    db = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    assert run(["--db", db, *argv], stdin=stdin) == 2
    captured = capsys.readouterr()
    assert words in one_clean_line(captured.err)
    assert captured.out == ""


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "is not a database URL"),
        ("sqlite//missing-colon.db", "is not a database URL"),
        ("mysql://desk@server/frontdesk", "SQLite or PostgreSQL"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/frontdesk", "cannot open the database"),
    ],
)
def test_bad_or_unreachable_databases(
    capsys: pytest.CaptureFixture[str], url: str, words: str
) -> None:
    for argv in (["--db", url, "staff", "list"], ["--db", url, "db", "upgrade"]):
        assert run(argv) == 2
        assert words in one_clean_line(capsys.readouterr().err)


def test_unreachable_database_in_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_DB", "postgresql+psycopg://postgres@127.0.0.1:1/frontdesk")
    assert run(["staff", "list"]) == 2
    assert "127.0.0.1:1" in one_clean_line(capsys.readouterr().err)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root may write anywhere, so a read-only folder proves nothing",
)
@pytest.mark.parametrize("inside", ["desk.sqlite3", "sub/desk.sqlite3"])
def test_a_folder_without_write_permission(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inside: str
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert run(["--db", f"sqlite:///{folder / inside}", "staff", "list"]) == 2
        assert "no permission to write" in one_clean_line(capsys.readouterr().err)
    finally:
        folder.chmod(0o700)


def test_a_bad_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("desk = 2\ndesk_services = [\n", encoding="utf-8")
    assert run(["--config", str(config), "staff", "list"]) == 2
    line = one_clean_line(capsys.readouterr().err)
    assert str(config) in line
    assert "line" in line


def test_global_options_before_the_subcommand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_config = tmp_path / "from-config.sqlite3"
    from_env = tmp_path / "from-env.sqlite3"
    from_flag = tmp_path / "from-flag.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'db = "sqlite:///{from_config}"\n', encoding="utf-8")
    add = ["staff", "add", "--role", "lead", "--pin-stdin"]
    assert run(["--config", str(config), *add, "--name", "Config Lead"], stdin="2468\n") == 0
    monkeypatch.setenv("FRONTDESK_DB", f"sqlite:///{from_env}")
    assert run(["--config", str(config), *add, "--name", "Env Lead"], stdin="2468\n") == 0
    assert run(["--config", str(config), "--db", f"sqlite:///{from_flag}", *add,
                "--name", "Flag Lead"], stdin="2468\n") == 0  # fmt: skip
    capsys.readouterr()
    for path, name in ((from_config, "Config"), (from_env, "Env"), (from_flag, "Flag")):
        assert run(["--db", f"sqlite:///{path}", "staff", "list"]) == 0
        assert capsys.readouterr().out == f"{name} Lead\tlead\n"
    # The upgrade goes to the database named before the subcommand.
    fresh = tmp_path / "fresh.sqlite3"
    assert run(["--db", f"sqlite:///{fresh}", "db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == "database upgraded"
    assert run(["--db", f"sqlite:///{fresh}", "db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == "database already up to date"


def test_config_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "config-home/frontdesk/config.toml")
    assert run(["--config", str(tmp_path / "x.toml"), "config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "x.toml")


def test_demo_fills_an_empty_database_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run(["demo", "--db", db, "--days", "3"]) == 0
    assert capsys.readouterr().out.startswith("demo data: 4 staff")
    assert run(["--db", db, "staff", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    assert run(["--db", db, "demo"]) == 2
    assert "already has data" in one_clean_line(capsys.readouterr().err)


def test_a_second_demo_run_joins_the_first_instead_of_wiping_it(tmp_path: Path) -> None:
    from frontdesk.demo import demo_database

    db = tmp_path / "demo.sqlite3"
    url = f"sqlite:///{db}"
    db.write_text("yesterday's demo")
    with demo_database(url) as first:
        assert first.fresh and not db.exists()  # a fresh demo for today
        db.write_text("today's demo")
        first.filled()
        with demo_database(url) as second:  # a second desk while the first runs
            assert not second.fresh
            assert db.read_text() == "today's demo"
    with demo_database(url) as later:  # nobody runs it any more: fresh again
        assert later.fresh and not db.exists()
