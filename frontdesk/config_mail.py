"""The ``[mail]`` table of the config file: the SMTP server appointment e-mails go through.

```toml
[mail]
host = "smtp.example.org"
port = 587                      # default: 587 (starttls), 465 (tls), 25 (none)
security = "starttls"           # starttls | tls | none
user = "frontdesk@example.org"
from = "Leiden International Centre <frontdesk@example.org>"
password_file = "/etc/frontdesk/mail-password"   # or the env FRONTDESK_MAIL_PASSWORD
reminder_at = "17:00"           # the reminder goes out at this time the day before
```

The password is never a setting: it comes from the environment variable
``FRONTDESK_MAIL_PASSWORD`` or from the file ``password_file`` names, and is read only when
mail is sent, so nothing that prints the settings can show it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

PASSWORD_ENV = "FRONTDESK_MAIL_PASSWORD"
SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_CENTRE = "Leiden International Centre"
DEFAULT_ADDRESS = "Stationsweg 41, 2312 AT Leiden"


class MailConfigError(ValueError):
    """A ``[mail]`` setting cannot be used; the message names it (config.py adds the file)."""


@dataclass(frozen=True)
class MailSettings:
    host: str | None = None  # None: no mail server, nothing is sent (the demo has none)
    port: int | None = None  # None: the usual port for `security`
    security: str = "starttls"
    user: str | None = None
    from_address: str | None = None
    password_file: Path | None = None
    reminder_at: time = time(17, 0)
    # A message left `sending` longer than this (a run was killed) is sent once more.
    stale_minutes: int = 15
    centre_name: str = DEFAULT_CENTRE
    address: str = DEFAULT_ADDRESS
    timeout_seconds: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def sender_domain(self) -> str:
        """The domain for Message-IDs: the From address's, or a name that is never real."""
        text = (self.from_address or "").rstrip("> ")
        return text.rpartition("@")[2] or "frontdesk.invalid"

    def password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The SMTP password: FRONTDESK_MAIL_PASSWORD, else the first line of password_file."""
        env = os.environ if environ is None else environ
        if env.get(PASSWORD_ENV):
            return env[PASSWORD_ENV]
        if self.password_file is None:
            return None
        try:
            lines = self.password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise MailConfigError(
                f"mail.password_file {self.password_file} cannot be read ({exc.strerror})"
            ) from None
        return lines[0] if lines else ""


def _text(raw: Mapping[str, object], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise MailConfigError(f'mail.{key} must be text in quotes, e.g. {key} = "..."')
    return value.strip()


def _hhmm(value: object) -> time:
    if isinstance(value, str):
        hour, _, minute = value.strip().partition(":")
        if hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60:
            return time(int(hour), int(minute))
    raise MailConfigError('mail.reminder_at must be a time of day, e.g. reminder_at = "17:00"')


def _whole(raw: Mapping[str, object], key: str, low: int, high: int) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MailConfigError(f"mail.{key} must be a whole number from {low} to {high}")
    return value


KNOWN = {
    "host",
    "port",
    "security",
    "user",
    "from",
    "password_file",
    "reminder_at",
    "stale_minutes",
    "centre_name",
    "address",
    "timeout_seconds",
}


def parse_mail(raw: object) -> MailSettings:
    """``[mail]`` -> MailSettings; MailConfigError names the setting that is wrong."""
    if not isinstance(raw, dict):
        raise MailConfigError("[mail] must be a table")
    if "password" in raw:
        raise MailConfigError(
            "mail.password is not read from the config file (it would be shown with it): "
            f"set the environment variable {PASSWORD_ENV} or mail.password_file"
        )
    unknown = sorted(set(raw) - KNOWN)
    if unknown:
        raise MailConfigError(f"[mail] has no setting {unknown[0]!r}")
    security = _text(raw, "security") or "starttls"
    if security not in SECURITY:
        raise MailConfigError('mail.security must be "starttls", "tls" or "none"')
    password_file = _text(raw, "password_file")
    timeout = raw.get("timeout_seconds", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 300:
        raise MailConfigError("mail.timeout_seconds must be a number from 1 to 300")
    return MailSettings(
        host=_text(raw, "host"),
        port=_whole(raw, "port", 1, 65535),
        security=security,
        user=_text(raw, "user"),
        from_address=_text(raw, "from"),
        password_file=Path(password_file).expanduser() if password_file else None,
        reminder_at=_hhmm(raw["reminder_at"]) if "reminder_at" in raw else time(17, 0),
        stale_minutes=_whole(raw, "stale_minutes", 1, 1440) or 15,
        centre_name=_text(raw, "centre_name") or DEFAULT_CENTRE,
        address=_text(raw, "address") or DEFAULT_ADDRESS,
        timeout_seconds=float(timeout),
    )
