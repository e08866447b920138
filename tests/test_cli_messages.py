"""Messages that name the real cause: a full disk, a folder where a file was expected, a
database that is not frontdesk's (or a newer one), a CSV quoting error with its line, and
the database URLs people actually write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from frontdesk.cli import database_problem
from frontdesk.config import ConfigError, check_db_url
from tests.conftest import PG_URL
from tests.helpers import one_clean_line, run


def _db(tmp_path: Path, change: str | None = None) -> tuple[list[str], Path]:
    """A migrated SQLite database and the options that open it; ``change`` is SQL run on
    it afterwards, behind frontdesk's back."""
    path = tmp_path / "desk.sqlite3"
    base = ["--config", str(tmp_path / "none.toml"), "--db", f"sqlite:///{path}"]
    assert run([*base, "db", "upgrade"]) == 0
    if change is not None:
        with sqlite3.connect(path) as conn:
            conn.execute(change)
    return base, path


def test_a_database_missing_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, path = _db(tmp_path, "DROP TABLE staff")
    capsys.readouterr()
    assert run([*base, "staff", "list"]) == 2
    assert "not a complete frontdesk database" in one_clean_line(capsys.readouterr().err)
    assert run([*base, "backup", "--verify", str(path)]) == 1  # not "ok"
    out = capsys.readouterr().out
    assert "NOT usable" in out and "no table staff" in out


def test_someone_elses_database_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    argv = ["--config", str(tmp_path / "none.toml"), "--db", f"sqlite:///{path}", "staff", "list"]
    assert run(argv) == 2
    assert "is not a frontdesk database" in one_clean_line(capsys.readouterr().err)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}  # no frontdesk tables were created in it


def test_a_database_from_a_newer_frontdesk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, path = _db(tmp_path, "UPDATE alembic_version SET version_num = '9999'")
    capsys.readouterr()
    assert run([*base, "staff", "list"]) == 2
    assert "newer frontdesk" in one_clean_line(capsys.readouterr().err)
    assert run([*base, "backup", "--verify", str(path)]) == 1
    assert "newer frontdesk" in capsys.readouterr().out


def test_backup_verify_of_an_older_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, path = _db(tmp_path, "UPDATE alembic_version SET version_num = '0007'")
    capsys.readouterr()
    assert run([*base, "backup", "--verify", str(path)]) == 0
    assert "from an older frontdesk" in capsys.readouterr().out


def test_backup_verify_of_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _db(tmp_path)
    capsys.readouterr()
    assert run([*base, "backup", "--verify", str(tmp_path)]) == 2
    assert "is a folder" in one_clean_line(capsys.readouterr().err)
    assert run([*base, "backup", str(tmp_path)]) == 2
    assert "is a folder" in one_clean_line(capsys.readouterr().err)


def test_exports_into_a_folder_or_a_full_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = _db(tmp_path)
    capsys.readouterr()
    assert run([*base, "report", "day", "--with-names", "--output", str(tmp_path)]) == 2
    assert "that is a folder" in one_clean_line(capsys.readouterr().err)
    if Path("/dev/full").exists():
        assert run([*base, "report", "day", "--output", "/dev/full"]) == 2
        assert "the disk is full" in one_clean_line(capsys.readouterr().err)


def test_database_errors_name_their_cause() -> None:
    def op(message: str) -> OperationalError:
        return OperationalError("SELECT 1", {}, Exception(message))

    assert "disk is full" in str(database_problem(op("database or disk is full")))
    assert "not a complete frontdesk" in str(database_problem(op("no such table: staff")))
    assert "read-only" in str(database_problem(op("attempt to write a readonly database")))
    assert "did not answer" in str(database_problem(op("connection refused")))
    undefined = type("UndefinedTable", (Exception,), {})('relation "staff" does not exist')
    assert "not a complete frontdesk" in str(
        database_problem(ProgrammingError("SELECT 1", {}, undefined))
    )
    assert database_problem(ValueError("x")) is None


def test_csv_quoting_errors_name_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = _db(tmp_path)
    partners = tmp_path / "partners.csv"
    partners.write_text('name,category\nGood Bank,bank\n"Rijnland Bank,bank\nOther,bank\n')
    bookings = tmp_path / "bookings.csv"
    bookings.write_text(
        "reference,date,time,role,given_names,family_name,date_of_birth\n"
        'R1,2026-11-23,09:00,main,"Priya"x,Test,1990-01-01\n'
    )
    capsys.readouterr()
    assert run([*base, "import", "partners", str(partners)]) == 2
    assert 'line 3: a quote (") opened here is never closed' in one_clean_line(
        capsys.readouterr().err
    )
    assert run([*base, "import", "appointments", str(bookings), "--dry-run"]) == 2
    assert "line 2: a closing quote" in one_clean_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite:///", "names no file"),
        ("sqlite://", "names no file"),
        ("sqlite:///:memory:", "names no file"),
        ("sqlite://u:secret@/x", "no user, password or host"),
        ("postgresql://u:secret@host:notaport/db", "port"),
        ("postgresql://u:secret@host:0/db", "port"),
        ("postgresql://u:secret@[::1/db", "']'"),
        ("", "not a database URL"),
    ],
)
def test_database_urls_refused(url: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        check_db_url(url)
    if url:
        assert run(["--db", url, "staff", "list"]) == 2
        err = one_clean_line(capsys.readouterr().err)
        assert words in err and "secret" not in err


def test_postgres_scheme_is_postgresql() -> None:
    assert check_db_url("postgres://desk@server/frontdesk") == "postgresql://desk@server/frontdesk"
    assert check_db_url("postgres+psycopg://d@s:5432/f") == "postgresql+psycopg://d@s:5432/f"
    assert check_db_url("postgresql://d@[::1]:5432/f") == "postgresql://d@[::1]:5432/f"
    assert check_db_url("sqlite:///frontdesk.sqlite3") == "sqlite:///frontdesk.sqlite3"


@pytest.mark.skipif(not PG_URL, reason="FRONTDESK_TEST_POSTGRES_URL is not set")
def test_postgres_scheme_opens_postgresql(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL test")
    url = "postgres" + db_url.removeprefix("postgresql+psycopg").removeprefix("postgresql")
    base = ["--config", str(tmp_path / "none.toml"), "--db", url]
    assert run([*base, "staff", "list"]) == 0, capsys.readouterr().err
    # ids past what the database stores are refused by the CLI, on PostgreSQL too
    for visitor in ("99999999999999999999", str(2**63)):
        assert run([*base, "privacy", "erase", "--visitor", visitor, "--reason", "asked"]) == 2
        assert "between 1 and" in one_clean_line(capsys.readouterr().err)
    assert run([*base, "privacy", "erase", "--visitor", str(2**63 - 1), "--reason", "x"]) == 2
    err = one_clean_line(capsys.readouterr().err)
    assert "no visitor" in err or "larger than the database can hold" in err
