"""One SMTP conversation per ``mail send`` run, with failures sorted into two kinds.

A :class:`TemporaryFailure` (the server is down, busy, or answers 4xx) leaves the message
queued for a later try; a :class:`PermanentFailure` (5xx: no such mailbox, refused) fails
it with the server's reason. ``stop_run`` on a temporary failure means the server cannot
be reached at all, so the run stops instead of trying every message against it.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol

from frontdesk.config_mail import MailSettings


class DeliveryFailure(Exception):
    def __init__(self, reason: str, *, stop_run: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.stop_run = stop_run


class TemporaryFailure(DeliveryFailure):
    """Try again later (server down, 4xx)."""


class PermanentFailure(DeliveryFailure):
    """Do not try again (5xx): the reason goes to the outbox and the lead's screen."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"the mail server answered {code}: {' '.join(words.split())}"


def _classify(code: int, text: bytes | str) -> DeliveryFailure:
    if 400 <= code < 500:
        return TemporaryFailure(_reply(code, text))
    return PermanentFailure(_reply(code, text))


class SmtpTransport:
    """Sends through the configured server; connects on the first message."""

    def __init__(self, settings: MailSettings, password: str | None) -> None:
        if not settings.host:
            raise PermanentFailure("no mail server is set ([mail] host)", stop_run=True)
        self.settings = settings
        self.password = password
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host, port, timeout = s.host or "", s.effective_port, s.timeout_seconds
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, self.password or "")
        except smtplib.SMTPAuthenticationError:
            raise TemporaryFailure(
                "the mail server refused the user name or password", stop_run=True
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise TemporaryFailure(
                "the mail server does not offer STARTTLS (see mail.security)", stop_run=True
            ) from None
        except smtplib.SMTPResponseException as exc:
            failure = _classify(exc.smtp_code, exc.smtp_error)
            raise TemporaryFailure(failure.reason, stop_run=True) from None
        except ssl.SSLError:
            raise TemporaryFailure(
                "the secure connection to the mail server failed (see mail.security)",
                stop_run=True,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(_unreachable(exc), stop_run=True) from None
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _classify(code, text) from None
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused
            raise _classify(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None
            raise TemporaryFailure(_unreachable(exc), stop_run=True) from None
        if refused:  # one recipient per message: refused means this one
            code, text = next(iter(refused.values()))
            raise _classify(code, text)

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _unreachable(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "the mail server refused the connection (is it running?)"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(exc, socket.gaierror):
        return "the mail server's name is not known (see mail.host)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the mail server closed the connection"
    return f"the mail server could not be reached ({type(exc).__name__})"
