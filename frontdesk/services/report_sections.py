"""The report sections of BSN appointments, referrals and welcome packs.

Each section counts in SQL (GROUP BY over the period's days) and sets every figure beside
the period of equal length before it, as the queue's sections do. They hold no personal
data: counts per status, outcome, partner category and pack kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db.models import (
    Appointment,
    AppointmentPerson,
    PackIssue,
    PackType,
    Partner,
    Referral,
)
from frontdesk.services.appointments import KINDS, STATUSES
from frontdesk.services.referrals import OUTCOMES
from frontdesk.services.referrals import STATUSES as REFERRAL_STATUSES
from frontdesk.services.reports import Period
from frontdesk.services.tables import Column, Table

COMPARED = (
    Column("Now", "int"),
    Column("Previous period", "int"),
    Column("Change", "int"),
    Column("Change %", "pct"),
)


def _compared(
    key: str,
    title: str,
    label: str,
    labels: Mapping[str, str],
    now: Mapping[Any, int],
    before: Mapping[Any, int],
) -> Table:
    """One row per label (in the given order, then any others), a total, and the change."""
    keys: list[Any] = [k for k in labels if k in now or k in before]
    keys += sorted({*now, *before} - set(keys), key=str)
    rows: list[tuple[Any, ...]] = []
    for k in keys:
        n, b = now.get(k, 0), before.get(k, 0)
        rows.append((labels.get(k, str(k)), n, b, n - b, (n - b) / b if b else None))
    total_n, total_b = sum(now.values()), sum(before.values())
    rows.append(
        (
            "All",
            total_n,
            total_b,
            total_n - total_b,
            (total_n - total_b) / total_b if total_b else None,
        )
    )
    return Table(key, title, (Column(label), *COMPARED), tuple(rows))


def _counts(rows: Iterable[tuple[Any, Any]]) -> dict[Any, int]:
    return {k: int(n) for k, n in rows}


def _instants(period: Period, clock: Clock) -> tuple[Any, Any]:
    start, _ = clock.day_bounds(period.start)
    _, end = clock.day_bounds(period.end)
    return start, end


class _Section:
    """A day is a period of one day, compared with the day before."""

    key = ""

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        raise NotImplementedError

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]:
        period = Period(day, day)
        return self._tables(session, period, period.previous(), clock)

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        return self._tables(session, period, previous, clock)


class AppointmentSection(_Section):
    """BSN appointments by type and outcome; persons registered and BSNs issued."""

    key = "appointments"

    def _by_status(self, session: Session, first: date, last: date) -> dict[Any, int]:
        return _counts(
            session.execute(
                select(Appointment.status, func.count())
                .where(Appointment.day >= first, Appointment.day <= last)
                .group_by(Appointment.status)
            ).all()
        )

    def _by_kind(self, session: Session, first: date, last: date) -> dict[Any, int]:
        return _counts(
            session.execute(
                select(Appointment.kind, func.count())
                .where(Appointment.day >= first, Appointment.day <= last)
                .group_by(Appointment.kind)
            ).all()
        )

    def _bsn(self, session: Session, first: date, last: date) -> dict[Any, int]:
        outcome = func.coalesce(AppointmentPerson.bsn_outcome, "none")
        return _counts(
            session.execute(
                select(outcome, func.count())
                .select_from(AppointmentPerson)
                .join(Appointment, Appointment.id == AppointmentPerson.appointment_id)
                .where(
                    Appointment.day >= first,
                    Appointment.day <= last,
                    Appointment.status == "completed",
                    Appointment.kind == "first_registration",
                )
                .group_by(outcome)
            ).all()
        )

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        p, q = (period.start, period.end), (previous.start, previous.end)
        bsn_labels = {
            "issued": "BSN issued at the desk",
            "by_post": "BSN to follow by post",
            "none": "no BSN outcome recorded",
        }
        return [
            _compared(
                "appointments",
                "BSN appointments by type",
                "Type",
                KINDS,
                self._by_kind(session, *p),
                self._by_kind(session, *q),
            ),
            _compared(
                "appointment_outcomes",
                "BSN appointments by outcome",
                "Outcome",
                STATUSES,
                self._by_status(session, *p),
                self._by_status(session, *q),
            ),
            _compared(
                "bsn",
                "Registered in completed first registrations, by BSN outcome",
                "BSN",
                bsn_labels,
                self._bsn(session, *p),
                self._bsn(session, *q),
            ),
        ]


class ReferralSection(_Section):
    """Referrals made per partner category, their status now, and outcomes reached."""

    key = "referrals"

    def _made(self, session: Session, start: Any, end: Any) -> dict[Any, int]:
        return _counts(
            session.execute(
                select(Partner.category, func.count())
                .select_from(Referral)
                .join(Partner, Partner.id == Referral.partner_id)
                .where(Referral.created_at >= start, Referral.created_at < end)
                .group_by(Partner.category)
            ).all()
        )

    def _status(self, session: Session, start: Any, end: Any) -> dict[Any, int]:
        return _counts(
            session.execute(
                select(Referral.status, func.count())
                .where(Referral.created_at >= start, Referral.created_at < end)
                .group_by(Referral.status)
            ).all()
        )

    def _outcomes(self, session: Session, start: Any, end: Any) -> dict[Any, int]:
        return _counts(
            session.execute(
                select(Referral.outcome, func.count())
                .where(
                    Referral.outcome_at >= start,
                    Referral.outcome_at < end,
                    Referral.outcome.is_not(None),
                )
                .group_by(Referral.outcome)
            ).all()
        )

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        p, q = _instants(period, clock), _instants(previous, clock)
        return [
            _compared(
                "referrals",
                "Referrals made, per partner category",
                "Category",
                {},
                self._made(session, *p),
                self._made(session, *q),
            ),
            _compared(
                "referral_status",
                "Referrals made, by where they stand now",
                "Status",
                REFERRAL_STATUSES,
                self._status(session, *p),
                self._status(session, *q),
            ),
            _compared(
                "referral_outcomes",
                "Referral outcomes reached",
                "Outcome",
                OUTCOMES,
                self._outcomes(session, *p),
                self._outcomes(session, *q),
            ),
        ]


class PackSection(_Section):
    """Welcome packs handed out per kind."""

    key = "packs"

    def _issued(self, session: Session, start: Any, end: Any) -> dict[Any, int]:
        return _counts(
            session.execute(
                select(PackType.name, func.count())
                .select_from(PackIssue)
                .join(PackType, PackType.id == PackIssue.pack_type_id)
                .where(PackIssue.at >= start, PackIssue.at < end)
                .group_by(PackType.name)
            ).all()
        )

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        p, q = _instants(period, clock), _instants(previous, clock)
        return [
            _compared(
                "packs",
                "Welcome packs handed out",
                "Pack kind",
                {},
                self._issued(session, *p),
                self._issued(session, *q),
            )
        ]
