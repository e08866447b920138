"""The report sections of BSN appointments, referrals and welcome packs.

Each section counts in SQL (GROUP BY over the period's days) and sets every figure beside
the period of equal length before it, as the queue's sections do. They hold no personal
data: counts per status, outcome, partner category and pack kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select
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
from frontdesk.services.reports.periods import Period
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


def _split(rows: Iterable[Any], *, keys: int = 1) -> tuple[dict[Any, int], ...]:
    """Rows of (in this period?, key..., count) -> per key position: (now, before) counts."""
    out: list[dict[Any, int]] = [{} for _ in range(2 * keys)]
    for flag, *key, n in rows:
        for i, k in enumerate(key):
            target = out[2 * i + (0 if flag else 1)]
            target[k] = target.get(k, 0) + int(n)
    return tuple(out)


def _both(column: Any, *, inclusive: bool) -> tuple[Any, ColumnElement[bool]]:
    """A flag (1 = this period, 0 = the previous one) and the filter for both periods,
    with the ranges as parameters (see :func:`_ranges`), so each statement is built once:
    building one cost more than running it on a month.

    One scan gives a figure for the period and the period before it (it was two).
    Days are inclusive ranges, instants half-open ones.
    """

    def within(first: str, last: str) -> ColumnElement[bool]:
        low, high = bindparam(first, type_=column.type), bindparam(last, type_=column.type)
        return and_(column >= low, column <= high if inclusive else column < high)

    # The outer range lets the database use the column's index; the OR keeps it exact
    # should the two periods not touch.
    now = within("now_first", "now_last")
    outer = within("outer_first", "outer_last")
    where = and_(outer, or_(within("now_first", "now_last"), within("before_first", "before_last")))
    return case((now, 1), else_=0), where


def _ranges(now: tuple[Any, Any], before: tuple[Any, Any]) -> dict[str, Any]:
    """The parameters of :func:`_both`'s ranges."""
    return {
        "now_first": now[0],
        "now_last": now[1],
        "before_first": before[0],
        "before_last": before[1],
        "outer_first": min(now[0], before[0]),
        "outer_last": max(now[1], before[1]),
    }


@cache
def _statements() -> dict[str, Any]:
    """The sections' statements, built once (their compiled forms are cached per dialect
    by SQLAlchemy, keyed on the statement, whose key is worked out once too)."""
    flag, where = _both(Appointment.day, inclusive=True)
    kinds = (
        select(flag, Appointment.kind, Appointment.status, func.count())
        .where(where)
        .group_by(flag, Appointment.kind, Appointment.status)
    )
    outcome = func.coalesce(AppointmentPerson.bsn_outcome, "none")
    bsn = (
        select(flag, outcome, func.count())
        .select_from(AppointmentPerson)
        .join(Appointment, Appointment.id == AppointmentPerson.appointment_id)
        .where(where, Appointment.status == "completed", Appointment.kind == "first_registration")
        .group_by(flag, outcome)
    )
    flag, where = _both(Referral.created_at, inclusive=False)
    made = (
        select(flag, Partner.category, Referral.status, func.count())
        .select_from(Referral)
        .join(Partner, Partner.id == Referral.partner_id)
        .where(where)
        .group_by(flag, Partner.category, Referral.status)
    )
    flag, where = _both(Referral.outcome_at, inclusive=False)
    outcomes = (
        select(flag, Referral.outcome, func.count())
        .where(where, Referral.outcome.is_not(None))
        .group_by(flag, Referral.outcome)
    )
    flag, where = _both(PackIssue.at, inclusive=False)
    packs = (
        select(flag, PackType.name, func.count())
        .select_from(PackIssue)
        .join(PackType, PackType.id == PackIssue.pack_type_id)
        .where(where)
        .group_by(flag, PackType.name)
    )
    return {"kinds": kinds, "bsn": bsn, "made": made, "outcomes": outcomes, "packs": packs}


def _run(session: Session, name: str, ranges: dict[str, Any], *, keys: int = 1) -> Any:
    """One section statement for both periods, split per key column into (now, before)."""
    return _split(session.connection().execute(_statements()[name], ranges).all(), keys=keys)


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

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        ranges = _ranges((period.start, period.end), (previous.start, previous.end))
        # Appointments by kind and by status, now and before, from one scan.
        kinds, kinds_before, statuses, statuses_before = _run(session, "kinds", ranges, keys=2)
        bsn, bsn_before = _run(session, "bsn", ranges)
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
                kinds,
                kinds_before,
            ),
            _compared(
                "appointment_outcomes",
                "BSN appointments by outcome",
                "Outcome",
                STATUSES,
                statuses,
                statuses_before,
            ),
            _compared(
                "bsn",
                "Registered in completed first registrations, by BSN outcome",
                "BSN",
                bsn_labels,
                bsn,
                bsn_before,
            ),
        ]


class ReferralSection(_Section):
    """Referrals made per partner category, their status now, and outcomes reached."""

    key = "referrals"

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        ranges = _ranges(_instants(period, clock), _instants(previous, clock))
        # Referrals made per partner category and per status, now and before: one scan.
        made, made_before, statuses, statuses_before = _run(session, "made", ranges, keys=2)
        outcomes, outcomes_before = _run(session, "outcomes", ranges)
        return [
            _compared(
                "referrals",
                "Referrals made, per partner category",
                "Category",
                {},
                made,
                made_before,
            ),
            _compared(
                "referral_status",
                "Referrals made, by where they stand now",
                "Status",
                REFERRAL_STATUSES,
                statuses,
                statuses_before,
            ),
            _compared(
                "referral_outcomes",
                "Referral outcomes reached",
                "Outcome",
                OUTCOMES,
                outcomes,
                outcomes_before,
            ),
        ]


class PackSection(_Section):
    """Welcome packs handed out per kind."""

    key = "packs"

    def _tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        ranges = _ranges(_instants(period, clock), _instants(previous, clock))
        issued, issued_before = _run(session, "packs", ranges)
        return [
            _compared(
                "packs",
                "Welcome packs handed out",
                "Pack kind",
                {},
                issued,
                issued_before,
            )
        ]
