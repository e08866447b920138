"""``frontdesk config show``: the settings in effect, never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.cli import main


def test_config_show_prints_the_settings_and_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "mail-password"
    secret.write_text("file-secret\n")
    config = tmp_path / "config.toml"
    config.write_text(
        'target_wait_minutes = 25\n[mail]\nhost = "smtp.example.org"\n'
        f'password_file = "{secret}"\n[exports]\ndelimiter = ";"\n'
    )
    monkeypatch.setenv("FRONTDESK_MAIL_PASSWORD", "env-secret")
    url = "postgresql+psycopg://clerk:db-secret@127.0.0.1:5432/centre"
    assert main(["--config", str(config), "--db", url, "config", "show"]) == 0
    out = capsys.readouterr().out
    assert "target_wait_minutes = 25" in out
    assert 'host = "smtp.example.org"' in out
    assert 'csv_delimiter = ";"' in out
    assert "clerk:***@127.0.0.1" in out
    assert "# password: set (FRONTDESK_MAIL_PASSWORD); never printed" in out
    for leaked in ("db-secret", "env-secret", "file-secret"):
        assert leaked not in out


def test_config_path_still_answers_before_the_settings_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = = not toml")
    assert main(["--config", str(broken), "config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(broken)
