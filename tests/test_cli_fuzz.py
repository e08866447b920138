"""Every subcommand against a corpus of bad arguments and files.

Each run must end with exit status 0, 1 or 2 (3 is for real bugs only), without a
traceback and without "failed unexpectedly"; a refused command (2) leaves the database
as it was (an export that failed may add its "failed" audit row, nothing else).

The runs are in-process through ``main()`` for speed; a few that involve the interpreter's
own shutdown (/dev/full, unraisable exceptions) run as subprocesses.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.cli import main

BIG = 2**63

DATES = ["", "yesterday", "0000-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "2026-13-01",
         "-1", "2026-11-23T10:00", "１９７０-01-01", "\x00", "2026-11-23" * 50]  # fmt: skip
QUARTERS = ["0000Q1", "9999Q4", "2026Q0", "2026Q5", "Q", "", "2026Q4" * 40, "-1Q1", "\x00"]
IDS = ["0", "-1", "99999999999999999999", str(BIG), str(BIG - 1), "1e3", "abc", "", " 7 "]
INTS = ["-1", "0", "abc", "99999999999999999999", "1e9", ""]
URLS = [
    "sqlite:///",
    "sqlite://",
    "postgresql://u:pw@host:notaport/db",
    "postgresql://u:pw@host:99999/db",
    "sqlite://u:pw@/x",
    "mysql://u@host/db",
    "not a url",
    "://",
    "sqlite:////proc/no-such-folder/x.sqlite3",
    "postgres://u@[::1/db",
]

FILES = {
    "empty": b"",
    "binary": bytes(range(256)) * 40,
    "nul": b"name,category\nA\x00B,bank\n",
    "huge_line": b"name,category\n" + b"x" * 200_000 + b",bank\n",
    "huge_cell_quoted": b'name,category\n"' + b"y" * 200_000 + b'",bank\n',
    "latin1": "name,category\nCafé Ölçü,bank\n".encode("latin-1"),
    "utf16": "name,category\nBank,bank\n".encode("utf-16"),
    "unclosed_quote": b'name,category\n"Rijnland Bank,bank\nOther,bank\n',
    "only_header": b"name,category\n",
    "many_columns": b",".join([b"c"] * 5000) + b"\n" + b",".join([b"v"] * 5000) + b"\n",
    "formula": b'name,category\n=HYPERLINK("http://evil.example/"),bank\n',
    "crlf_mess": b"name,category\r\rBank,bank\r\n\n\n",
}
CONFIGS = {
    "config_latin1": "timezone = 'Europe/Amsterdam' # Ölçü\n".encode("latin-1"),
    "config_binary": bytes(range(256)),
    "config_unclosed": b'timezone = "Europe/Amsterdam\n',
    "config_huge": b"# " + b"x" * 300_000 + b"\ntimezone = 1\n",
    "config_bad_value": b"desk = 'two'\n",
    "config_bad_zone": b'timezone = "Mars/Olympus"\n',
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for name, data in {**FILES, **CONFIGS}.items():
        (root / name).write_bytes(data)
    (root / "folder").mkdir()
    (root / "afile").write_text("not a folder")
    return root


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("fuzzdb") / "frontdesk.sqlite3"
    url = f"sqlite:///{path}"
    config = path.parent / "none.toml"
    with _quiet():
        assert main(["--config", str(config), "--db", url, "demo", "--days", "2"]) == 0
    return url


@contextlib.contextmanager
def _quiet() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def _snapshot(url: str) -> str:
    """All rows of all tables (audit rows of failed exports left out)."""
    path = url.removeprefix("sqlite:///")
    digest = hashlib.sha256()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in sorted(tables):
            query = f'SELECT * FROM "{table}"'
            if table == "audit_events":
                query += " WHERE result != 'failed'"
            for row in conn.execute(query + " ORDER BY 1"):
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def _cases(c: Path) -> list[list[str]]:
    """argv after the global options, with {placeholders} for the corpus."""
    out = str(c / "folder" / "out.csv")
    xout = str(c / "folder" / "out.xlsx")
    bad_outputs = [str(c / "folder"), str(c / "missing" / "x.csv"), str(c / "afile" / "x.csv"),
                   "/proc/version", "", "\x00"]  # fmt: skip
    if Path("/dev/full").exists():
        bad_outputs.append("/dev/full")
    files = [str(c / name) for name in FILES] + [str(c / "folder"), str(c / "missing.csv"), ""]
    cases: list[list[str]] = []
    # dates
    for d in DATES:
        cases += [
            ["report", "day", "--date", d],
            ["report", "period", "--from", d, "--to", "2026-12-31"],
            ["report", "period", "--from", "2026-01-01", "--to", d],
            ["referrals", "report", "--from", d, "--to", "2026-12-31"],
            ["referrals", "report", "--from", "2026-01-01", "--to", d],
        ]
    cases += [["report", "period", "--from", "2026-12-31", "--to", "2026-01-01"],
              ["report", "period", "--from", "0001-01-01", "--to", "9999-12-31"],
              ["referrals", "report", "--from", "0001-01-01", "--to", "9999-12-31"],
              ["report", "period", "--preset", "month", "--from", "2026-01-01"],
              ["report", "day", "--format", "xlsx"],
              ["referrals", "report", "--from", "2026-01-01", "--to", "2026-02-01",
               "--format", "xlsx"]]  # fmt: skip
    # outputs
    for o in bad_outputs:
        cases += [
            ["report", "day", "--with-names", "--output", o],
            ["report", "day", "--format", "xlsx", "--output", o],
            ["report", "period", "--preset", "week", "--format", "md", "--output", o],
            ["referrals", "report", "--from", "2026-01-01", "--to", "2026-12-31", "--output", o],
            ["packs", "export", "--output", o],
            ["appointments", "invoices", "--quarter", "2026Q4", "--output", o],
            ["appointments", "invoices", "--quarter", "2026Q4", "--format", "xlsx", "--output", o],
            ["privacy", "export", "--visitor", "1", "--output", o],
            ["backup", o],
            ["backup", "--verify", o],
        ]
    cases += [
        ["report", "day", "--output", out],
        ["appointments", "invoices", "--quarter", "2026Q4", "--output", xout],
        ["packs", "export", "--period", "day", "--output", out],
    ]
    # quarters and ids
    for q in QUARTERS:
        cases.append(["appointments", "invoices", "--quarter", q, "--output", out])
    for i in IDS:
        cases += [
            ["privacy", "export", "--visitor", i, "--output", str(c / "folder")],
            ["privacy", "erase", "--visitor", i, "--reason", "asked by e-mail"],
        ]
    for reason in ("", " ", "\x00", "x" * 5000):
        cases.append(["privacy", "erase", "--visitor", "1", "--reason", reason])
    for n in INTS:
        cases += [
            ["privacy", "purge", "--dry-run", "--older-than", n],
            ["demo", "--days", n],
            ["board", "--web", "--port", n],
        ]
    cases += [["board", "--web", "--host", h] for h in ("", " ", "\x00")]
    # files
    for f in files:
        cases += [
            ["import", "partners", f, "--dry-run"],
            ["import", "partners", f],
            ["import", "appointments", f, "--dry-run"],
            ["import", "appointments", f],
            ["restore", f, "--yes"],
            ["backup", "--verify", f],
        ]
    # staff and others
    cases += [
        ["staff", "add", "--name", "", "--role", "desk", "--pin-stdin"],
        ["staff", "add", "--name", "\x00", "--role", "desk", "--pin-stdin"],
        ["staff", "add", "--name", "x" * 10_000, "--role", "desk", "--pin-stdin"],
        ["staff", "add", "--name", "Bo Test", "--role", "chief", "--pin-stdin"],
        ["staff", "add", "--name", "Bo Test", "--role", "desk"],
        ["staff", "deactivate", "--name", "nobody at all"],
        ["staff", "deactivate", "--name", ""],
        ["staff"],
        ["report"],
        ["nonsense"],
        ["packs", "export", "--period", "year"],
        ["db", "upgrade"],
        ["config", "path"],
        ["--help"],
    ]
    return cases


def _run(argv: list[str], stdin: str = "12\n") -> tuple[int, str]:
    with _quiet() as (_, err), contextlib.ExitStack() as stack:
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin)
        stack.callback(setattr, sys, "stdin", old_stdin)
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
            status = exc.code if isinstance(exc.code, int) else 2
    return status, err.getvalue()


def _check(argv: list[str], status: int, err: str) -> None:
    assert status in (0, 1, 2), (argv, status, err)
    assert "Traceback" not in err and "unexpectedly" not in err, (argv, err)
    assert "Exception ignored" not in err, (argv, err)
    if status == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines, argv  # a refusal says why...
        assert all(not line.startswith(" ") for line in lines), (argv, err)  # ...not a dump


@pytest.mark.slow
def test_every_subcommand_with_bad_input(fuzz_db: str, corpus: Path) -> None:
    base = ["--config", str(corpus / "none.toml"), "--db", fuzz_db]
    cases = _cases(corpus)
    refused = 0
    for argv in cases:
        before = _snapshot(fuzz_db)
        status, err = _run([*base, *argv])
        _check(argv, status, err)
        if status == 2:
            refused += 1
            assert _snapshot(fuzz_db) == before, (argv, err)
    assert len(cases) > 280 and refused > 200


def _snapshot_any(url: str) -> str:
    """All rows of all tables through SQLAlchemy (PostgreSQL too); failed-export audit
    rows left out."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                query = f'SELECT * FROM "{table}"'
                if table == "audit_events":
                    query += " WHERE result != 'failed'"
                rows = sorted(repr(tuple(r)) for r in conn.execute(text(query)))
                digest.update(f"{table}:{rows}".encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


@pytest.mark.slow
def test_bad_input_on_both_databases(db_url: str, corpus: Path) -> None:
    """The cases that reach the database, on SQLite and PostgreSQL: refused, unchanged."""
    base = ["--config", str(corpus / "none.toml"), "--db", db_url]
    folder = str(corpus / "folder")
    cases = [["privacy", "export", "--visitor", i, "--output", folder] for i in IDS]
    cases += [["privacy", "erase", "--visitor", i, "--reason", "asked"] for i in IDS]
    cases += [["privacy", "erase", "--visitor", "2147483648", "--reason", "asked"]]
    cases += [["appointments", "invoices", "--quarter", q, "--output", folder + "/q.csv"]
              for q in QUARTERS]  # fmt: skip
    cases += [["report", "day", "--date", d] for d in DATES]
    cases += [["referrals", "report", "--from", d, "--to", "2026-12-31"] for d in DATES]
    cases += [["report", "day", "--with-names", "--output", o]
              for o in (folder, str(corpus / "missing" / "x.csv"), "/dev/full")]  # fmt: skip
    assert _run([*base, "staff", "list"])[0] == 0  # the first start sets the database up
    for argv in cases:
        before = _snapshot_any(db_url)
        status, err = _run([*base, *argv])
        _check(argv, status, err)
        if status == 2:
            assert _snapshot_any(db_url) == before, (argv, err)


@pytest.mark.parametrize("url", URLS)
def test_bad_database_urls(url: str, corpus: Path) -> None:
    for argv in (["staff", "list"], ["backup", str(corpus / "folder" / "b.sqlite3")]):
        status, err = _run(["--config", str(corpus / "none.toml"), "--db", url, *argv])
        _check(argv, status, err)
        assert status == 2, (url, err)
        assert "pw" not in err  # a password never shows


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_bad_config_files(name: str, corpus: Path, fuzz_db: str) -> None:
    status, err = _run(["--config", str(corpus / name), "--db", fuzz_db, "staff", "list"])
    _check(["--config", name], status, err)
    assert status == 2 and err.count("\n") == 1, err


FULL = "/dev/full"
SUBPROCESS_CASES = [
    [
        "appointments",
        "invoices",
        "--quarter",
        "2026Q4",
        "--format",
        "xlsx",
        "--output",
        "/dev/full",
    ],
    ["report", "day", "--with-names", "--format", "xlsx", "--output", FULL],
    ["report", "day"],  # standard output is /dev/full
]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", SUBPROCESS_CASES, ids=lambda a: " ".join(a[:2]))
def test_a_full_disk_in_a_real_process(argv: list[str], fuzz_db: str, corpus: Path) -> None:
    before = _snapshot(fuzz_db)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "frontdesk", "--config", str(corpus / "none.toml"),
             "--db", fuzz_db, *argv],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
            env={**os.environ, "FRONTDESK_DB": ""},
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "disk is full" in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert _snapshot(fuzz_db) == before
