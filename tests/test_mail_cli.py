"""``frontdesk mail send`` as cron runs it: real processes against a real SMTP server.

A run killed with SIGKILL between marking a message `sending` and the server accepting
it costs at most one duplicate, with the same Message-ID; two runs at once deliver each
message once. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from frontdesk.clock import FixedClock
from frontdesk.db.models import OutboxMessage
from frontdesk.services import Actor, Services
from tests.conftest import add_staff, letters, make_services
from tests.helpers import SmtpSink, mail_booking

pytestmark = pytest.mark.slow
CLI = Actor(0, "command line", "lead", None, "command line")
ROOT = Path(__file__).resolve().parent.parent


def ahead() -> date:
    """A Wednesday (BSN hours) at least a week after the real today: the runs below use
    the real clock, and nothing is sent about an appointment whose time has passed."""
    day = date.today() + timedelta(days=7)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def write_config(tmp_path: Path, sink: SmtpSink) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[mail]\n"
        'host = "127.0.0.1"\n'
        f"port = {sink.port}\n"
        'security = "none"\n'
        'from = "Leiden International Centre <desk@example.org>"\n'
        "timeout_seconds = 20\n"
    )
    return path


def mail_send(db_url: str, config: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frontdesk",
            "--db",
            db_url,
            "--config",
            str(config),
            "mail",
            "send",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def statuses(services: Services) -> dict[int, tuple[str, str]]:
    with services.db.read() as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.message_id)
        )
        return {i: (s, m) for i, s, m in rows}


@pytest.fixture
def seeded(db_url: str, clock: FixedClock) -> Iterator[Services]:
    services = make_services(db_url, clock)
    yield services
    services.close()


def test_a_run_killed_after_marking_sends_once_more_with_the_same_message_id(
    seeded: Services, db_url: str, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    clerk = add_staff(seeded, "Dirk Desk", "desk")
    seeded.appointments.book(clerk, mail_booking(day=ahead()))  # confirmation; reminder later
    config = write_config(tmp_path, smtp_sink)
    smtp_sink.hold = True  # the server keeps the first conversation waiting at RCPT
    proc = mail_send(db_url, config)
    try:
        assert smtp_sink.held.wait(60), "mail send never reached the server"
        # Marked `sending` and committed, not yet accepted by the server: kill it here.
        [marked] = [(i, m) for i, (s, m) in statuses(seeded).items() if s == "sending"]
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        smtp_sink.hold = False
        smtp_sink.release.set()
    assert smtp_sink.messages == []
    marked_id, marked_message_id = marked

    # The next run, soon after, leaves it alone (its run might still be talking to the
    # server).
    again = mail_send(db_url, config)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert statuses(seeded)[marked_id][0] == "sending"
    assert smtp_sink.messages == []

    # Later than mail.stale_minutes: sent once more, with the same Message-ID.
    later = make_services(
        db_url,
        FixedClock(datetime.now(UTC) + timedelta(minutes=16)),
        mail=smtp_sink.settings(),
    )
    try:
        report = later.mail.send_due(CLI)
        assert (report.resumed, report.sent) == (1, 1)
        assert statuses(later)[marked_id] == ("sent", marked_message_id)
    finally:
        later.close()
    assert smtp_sink.message_ids() == [marked_message_id]


def test_a_second_interruption_fails_the_message_rather_than_risk_a_third_copy(
    seeded: Services, db_url: str, smtp_sink: SmtpSink
) -> None:
    clerk = add_staff(seeded, "Dirk Desk", "desk")
    seeded.appointments.book(clerk, mail_booking())
    clock = seeded.clock
    assert isinstance(clock, FixedClock)
    # The state two killed runs leave: `sending`, claimed long ago, interrupted once before.
    with seeded.db.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "confirmation")
            .values(status="sending", claimed_at=clock.now(), interrupted=1, attempts=2)
        )
    clock.advance(minutes=30)
    services = make_services(db_url, clock, mail=smtp_sink.settings())
    try:
        report = services.mail.send_due(CLI)
        failed = services.mail.outbox(add_staff(services, "Lea Lead", "lead"), ("failed",))
    finally:
        services.close()
    assert (report.resumed, report.sent) == (1, 0)  # the reminder is not due yet
    [entry] = failed
    assert entry.kind == "confirmation" and "twice" in (entry.last_error or "")
    assert smtp_sink.messages == []


def test_two_mail_send_processes_at_once_deliver_each_message_once(
    seeded: Services, db_url: str, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    clerk = add_staff(seeded, "Dirk Desk", "desk")
    for i in range(8):
        hour, minute = divmod(9 * 60 + 30 * i, 60)
        seeded.appointments.book(
            clerk,
            mail_booking(
                day=ahead(),
                given=f"Visitor{letters(i)}",
                email=f"v{i}@example.org",
                time=f"{hour:02d}:{minute:02d}",
            ),
        )
    queued = statuses(seeded)
    assert len(queued) == 16  # 8 confirmations due now, 8 reminders due the day before
    with seeded.db.write() as session:  # make the reminders due too
        session.execute(update(OutboxMessage).values(next_try_at=datetime.now(UTC)))
    config = write_config(tmp_path, smtp_sink)
    runs = [mail_send(db_url, config) for _ in range(2)]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    ids = smtp_sink.message_ids()
    assert sorted(ids) == sorted(m for _s, m in queued.values())
    assert len(set(ids)) == len(ids) == 16
    assert {s for s, _m in statuses(seeded).values()} == {"sent"}
