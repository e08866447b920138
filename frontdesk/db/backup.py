"""Backups of a SQLite database while desks keep working, checks, and restore.

SQLite: the online backup API copies a consistent snapshot page by page, so desks can
go on registering while it runs. PostgreSQL has its own tools (pg_dump / pg_restore);
the commands say so instead of pretending.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from frontdesk.db.engine import SQLITE_BUSY_TIMEOUT_MS, DatabaseError
from frontdesk.db.migrate import HEAD, MIGRATIONS

MAIN_TABLES = ("staff", "visitors", "tickets", "contact_moments", "audit_events")
POSTGRES_ADVICE = (
    "this database is PostgreSQL: back it up with pg_dump -Fc -f FILE DBNAME and put it "
    "back with pg_restore --clean --if-exists -d DBNAME FILE "
    "(see docs/postgresql-and-operations.md)"
)


class BackupError(DatabaseError):
    """A backup or restore cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    integrity: str
    revision: str | None
    revision_known: bool
    counts: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.revision_known and not self.missing

    def problems(self) -> list[str]:
        out = []
        if self.integrity != "ok":
            out.append(f"integrity check failed: {self.integrity}")
        if self.revision is None:
            out.append("it is not a frontdesk database (it has no frontdesk schema)")
        elif not self.revision_known:
            out.append(
                f"its schema ({self.revision}) was made by a newer frontdesk; "
                "upgrade frontdesk first"
            )
        if self.missing and self.revision is not None:
            out.append(
                "it is not a complete frontdesk database (no table " + ", ".join(self.missing) + ")"
            )
        return out

    def describe(self) -> str:
        state = "ok" if self.ok else "NOT usable: " + "; ".join(self.problems())
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        schema = self.revision or "-"
        if self.ok and self.revision != HEAD:
            schema += " (from an older frontdesk; brought up to date when opened)"
        return f"{self.path}: {state}; schema {schema}; {counts}"


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; PostgreSQL and in-memory databases are refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        raise BackupError(POSTGRES_ADVICE)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise BackupError("only a SQLite database file can be backed up this way")
    return Path(parsed.database).expanduser()


def _path(text: str | Path) -> Path:
    if "\x00" in str(text) or not str(text).strip():
        raise BackupError("give the path of a file, e.g. ~/backups/frontdesk.sqlite3")
    return Path(text).expanduser()


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
    return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)


def verify(path: str | Path) -> BackupCheck:
    """Integrity check, a schema revision this frontdesk knows, and the main counts."""
    file = _path(path)
    if file.is_dir():
        raise BackupError(f"{file} is a folder; give the backup file inside it")
    if not file.exists():
        raise BackupError(f"{file} does not exist")
    if not file.is_file():
        raise BackupError(f"{file} is not a file")
    try:
        conn = _connect(file, readonly=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{file} cannot be opened: {exc}") from None
    try:
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return BackupCheck(file, f"not a SQLite database ({exc})", None, False)
        integrity = "; ".join(str(r[0]) for r in rows[:5])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        known = False
        if revision:
            with contextlib.suppress(Exception):
                known = ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
        counts = {
            t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
            for t in MAIN_TABLES
            if t in tables
        }
        missing = tuple(t for t in MAIN_TABLES if t not in tables)
        return BackupCheck(file, integrity, revision, known, counts, missing)
    finally:
        conn.close()


def _copy(source: sqlite3.Connection, target: Path) -> None:
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)  # personal data
    os.close(fd)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        # A backup is one self-contained file: no -wal beside it.
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()


def backup(url: str, target: str | Path) -> BackupCheck:
    """Copy the live database to ``target`` (a new file) and check the copy."""
    live = sqlite_path(url)
    file = _path(target)
    if file.is_dir():
        raise BackupError(f"{file} is a folder; add a file name, e.g. {file / 'frontdesk.sqlite3'}")
    if file.exists():
        raise BackupError(f"{file} already exists; pick a new file name")
    if not file.parent.is_dir():
        raise BackupError(f"the folder {file.parent} does not exist")
    if not live.is_file():
        raise BackupError(f"there is no database at {live}")
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _connect(live)
    try:
        _copy(source, partial)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        if "full" in str(exc).lower() or getattr(exc, "errno", None) == errno.ENOSPC:
            raise BackupError("the backup failed: the disk is full; nothing was written") from None
        raise BackupError(f"the backup failed: {exc}") from None
    finally:
        source.close()
    os.replace(partial, file)
    return verify(file)


def restore(url: str, source_file: str | Path) -> Path:
    """Put a checked backup in place of the live database; returns where the old one went.

    The current database is first copied to ``<database>.before-restore`` (a file that
    already exists there is replaced). The restore writes through SQLite itself, so
    desks that are still connected see the restored data, never a torn file.
    """
    live = sqlite_path(url)
    check = verify(source_file)
    if not check.ok:
        raise BackupError(f"{check.path} cannot be restored: " + "; ".join(check.problems()))
    keep = live.with_name(live.name + ".before-restore")
    if live.is_file():
        keep.unlink(missing_ok=True)
        current = _connect(live)
        try:
            _copy(current, keep)
        finally:
            current.close()
    src = _connect(check.path, readonly=True)
    dest = _connect(live)
    try:
        src.backup(dest)
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed, the database is unchanged: {exc}") from None
    finally:
        src.close()
        dest.close()
    return keep
