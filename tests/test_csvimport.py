"""The shared CSV reader: encodings, delimiters, headers, blank lines, line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.services.csvimport import CsvError, ImportResult, read_csv


def rows(data: bytes, **kw: object) -> list[tuple[int, dict[str, str]]]:
    return list(read_csv(data, required=("name", "category"), **kw).rows())  # type: ignore[arg-type]


def test_bom_semicolons_blank_lines_and_header_case() -> None:
    data = "\ufeff Category ;NAME;Phone\r\n\r\nbank;Één Bank;06-1\r\n;;\r\nlawyer;Law;\r\n".encode()
    assert rows(data, optional=("phone",)) == [
        (3, {"category": "bank", "name": "Één Bank", "phone": "06-1"}),
        (5, {"category": "lawyer", "name": "Law", "phone": ""}),
    ]


def test_comma_quotes_and_multiline_cells_keep_line_numbers() -> None:
    data = b'name,category,notes\n"A, B",bank,"two\nlines"\nC,bank,x\n'
    got = rows(data, optional=("notes",))
    assert got[0] == (2, {"name": "A, B", "category": "bank", "notes": "two\nlines"})
    assert got[1][0] == 4


def test_unknown_columns_ignored_extra_cells_flagged() -> None:
    got = rows(b"name,colour,category\nA,red,bank,surplus\n")
    assert got == [(2, {"name": "A", "?1": "red", "category": "bank", "": "surplus"})]


def test_missing_columns_are_one_clear_error() -> None:
    with pytest.raises(CsvError, match="missing: category") as err:
        read_csv(b"name;email\nA;a@example.org\n", required=("name", "category"))
    assert "found: name, email" in err.value.message


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="no such file"):
        read_csv(tmp_path / "nope.csv", required=("name",))
    with pytest.raises(CsvError, match="not UTF-8"):
        read_csv("name\nCaf\xe9\n".encode("latin-1"), required=("name",))
    with pytest.raises(CsvError, match="empty"):
        read_csv(b"\n\n", required=("name",))
    with pytest.raises(CsvError, match="twice"):
        read_csv(b"name,Name\n", required=("name",))
    path = tmp_path / "ok.csv"
    path.write_bytes(b"name\nA\n")
    assert list(read_csv(path, required=("name",)).rows()) == [(2, {"name": "A"})]


def test_result_summary() -> None:
    result = ImportResult(imported=2, unchanged=1)
    result.reject(4, "phone", "this is not a phone number")
    assert not result.ok
    assert result.summary() == "2 imported, 0 updated, 1 unchanged, 1 rejected"
    assert str(result.rejected[0]) == "line 4, column phone: this is not a phone number"
