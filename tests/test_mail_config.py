"""The [mail] settings: read from the config file, checked with clear messages; the
password only from the environment or a file, never a setting anything can print."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.config import ConfigError, load_settings
from frontdesk.config_mail import PASSWORD_ENV

SECRET = "correct-horse-battery-staple"


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_mail_settings_are_read_and_the_password_stays_out_of_them(tmp_path: Path) -> None:
    secret_file = tmp_path / "mail-password"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o600)
    path = config(
        tmp_path,
        '[mail]\nhost = "smtp.example.org"\nsecurity = "tls"\nuser = "desk@example.org"\n'
        'from = "Centre <desk@example.org>"\nreminder_at = "18:30"\n'
        f'password_file = "{secret_file}"\n',
    )
    settings = load_settings(config_path=path, environ={})
    mail = settings.mail
    assert (mail.host, mail.effective_port, mail.reminder_at) == (
        "smtp.example.org",
        465,
        time(18, 30),
    )
    assert mail.sender_domain == "example.org"
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert mail.password(environ={}) == SECRET
    assert mail.password(environ={PASSWORD_ENV: "from-env"}) == "from-env"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (f'[mail]\npassword = "{SECRET}"\n', "FRONTDESK_MAIL_PASSWORD"),
        ('[mail]\nsecurity = "ssl"\n', 'mail.security must be "starttls", "tls" or "none"'),
        ('[mail]\nreminder_at = "25:00"\n', "mail.reminder_at must be a time of day"),
        ("[mail]\nport = 0\n", "mail.port must be a whole number from 1 to 65535"),
        ('[mail]\nhots = "x"\n', "[mail] has no setting 'hots'"),
    ],
)
def test_a_wrong_mail_setting_is_refused_with_its_name(
    tmp_path: Path, text: str, words: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(config_path=config(tmp_path, text), environ={})
    assert words in str(refused.value)
    assert SECRET not in str(refused.value)


def test_mail_send_without_a_server_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    path = config(tmp_path, "")
    assert main(["--db", db, "--config", str(path), "mail", "send"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No mail server is set" in err
    assert main(["--db", db, "--config", str(path), "mail", "status"]) == 0
    assert "queued 0" in capsys.readouterr().out


def test_every_mail_catalogue_has_every_text_and_fills_it() -> None:
    import string

    from frontdesk.i18n import catalogue, languages

    english = catalogue("mail", "en")
    fields = {
        key: {f for _t, f, _s, _c in string.Formatter().parse(value) if f}
        for key, value in english.items()
    }
    assert {"en", "nl"} <= set(languages("mail"))
    for code in languages("mail"):
        texts = catalogue("mail", code)
        assert set(texts) == set(english), code
        for key, value in texts.items():
            used = {f for _t, f, _s, _c in string.Formatter().parse(value) if f}
            assert used == fields[key], (code, key)


def test_an_unreadable_password_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    path = config(
        tmp_path,
        '[mail]\nhost = "127.0.0.1"\nfrom = "desk@example.org"\n'
        f'password_file = "{tmp_path / "missing"}"\n',
    )
    assert main(["--db", db, "--config", str(path), "mail", "send"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mail.password_file" in err and "cannot be read" in err
