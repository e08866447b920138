"""Backups while desks keep working, checking them, and putting one back (SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.clock import FixedClock
from frontdesk.db.backup import BackupError, backup, restore, verify
from frontdesk.services import Services
from frontdesk.services.visitors import VisitorInput
from tests.conftest import add_staff, letters, make_services


@pytest.fixture
def desk(sqlite_url: str, clock: FixedClock) -> Iterator[Services]:
    s = make_services(sqlite_url, clock)
    yield s
    s.close()


def test_backup_while_a_desk_keeps_registering(desk: Services, tmp_path: Path) -> None:
    clerk = add_staff(desk, "Dirk Desk", "desk")
    stop = threading.Event()
    done: list[int] = []

    def keep_registering() -> None:
        while not stop.is_set() and len(done) < 2000:
            desk.queue.register_walk_in(
                clerk, VisitorInput(given_names=f"Visitor {letters(len(done))}")
            )
            done.append(1)

    worker = threading.Thread(target=keep_registering)
    worker.start()
    try:
        while len(done) < 20:
            stop.wait(0.01)
        check = backup(desk.db.url, tmp_path / "copy.sqlite3")
    finally:
        stop.set()
        worker.join()
    assert check.ok, check.describe()
    # A consistent snapshot: every visitor of the copy has its ticket.
    assert check.counts["visitors"] == check.counts["tickets"] >= 20
    assert (tmp_path / "copy.sqlite3").stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(BackupError, match="already exists"):
        backup(desk.db.url, tmp_path / "copy.sqlite3")


def test_verify_refuses_what_is_not_a_good_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    assert not verify(junk).ok
    assert main(["backup", "--verify", str(junk)]) == 1
    with pytest.raises(BackupError, match="does not exist"):
        verify(tmp_path / "missing.sqlite3")


def test_restore_puts_the_backup_back_and_keeps_the_current_one(
    desk: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clerk = add_staff(desk, "Dirk Desk", "desk")
    desk.visitors.register(clerk, VisitorInput(given_names="Before Backup"))
    copy = tmp_path / "copy.sqlite3"
    assert main(["--db", desk.db.url, "backup", str(copy)]) == 0
    desk.visitors.register(clerk, VisitorInput(given_names="After Backup"))
    assert main(["--db", desk.db.url, "restore", str(copy)]) == 2  # no terminal, no --yes
    assert "--yes" in capsys.readouterr().err
    assert main(["--db", desk.db.url, "restore", "--yes", str(copy)]) == 0
    # The desk's open connections see the restored data.
    assert [v.full_name for v in desk.visitors.search(clerk, "backup")] == ["Before Backup"]
    kept = verify(Path(desk.db.url.removeprefix("sqlite:///") + ".before-restore"))
    assert kept.ok and kept.counts["visitors"] == 2


def test_restore_refuses_a_bad_file_and_changes_nothing(desk: Services, tmp_path: Path) -> None:
    clerk = add_staff(desk, "Dirk Desk", "desk")
    desk.visitors.register(clerk, VisitorInput(given_names="Still Here"))
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"\0" * 4096)
    with pytest.raises(BackupError, match="cannot be restored"):
        restore(desk.db.url, junk)
    assert main(["--db", desk.db.url, "restore", "--yes", str(junk)]) == 2
    assert desk.visitors.search(clerk, "still here")


def test_postgresql_is_sent_to_pg_dump(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = "postgresql+psycopg://desk@db.example/frontdesk"
    assert main(["--db", url, "backup", str(tmp_path / "x")]) == 2
    assert "pg_dump -Fc" in capsys.readouterr().err
    assert main(["--db", url, "restore", "--yes", str(tmp_path / "x")]) == 2
    assert "pg_restore --clean" in capsys.readouterr().err
