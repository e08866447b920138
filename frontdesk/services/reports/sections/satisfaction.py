"""The satisfaction section: how visitors rated their visits on the tablet at the desk.

Per service, per desk and per day of the period (and, in the period report, the whole
previous period beside it): finished visits, ratings, the response rate (ratings /
finished visits), the average face (1 bad .. 4 very good) and how many tapped each face;
then what the visitors said mattered most. No personal data: counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.services.feedback import (
    REASON_LABELS,
    SCORE_LABELS,
    SCORES,
    SatisfactionRow,
    satisfaction_rows,
)
from frontdesk.services.reports.periods import Period
from frontdesk.services.tables import Column, Table

FIGURES = (
    Column("Finished visits", "int"),
    Column("Ratings", "int"),
    Column("Response rate", "pct"),
    Column("Average (1-4)", "minutes"),  # one decimal, a number in a spreadsheet
    *(Column(SCORE_LABELS[s], "int") for s in SCORES),
)


def _figures(row: SatisfactionRow) -> tuple[object, ...]:
    return (row.finished, row.ratings, row.response_rate, row.average, *row.faces)


def _table(
    key: str,
    title: str,
    label: Column,
    rows: Sequence[SatisfactionRow],
    totals: Sequence[tuple[str, Sequence[SatisfactionRow]]],
) -> Table:
    out = [(r.key, *_figures(r)) for r in rows]
    for name, total in totals:
        out += [(name, *_figures(t)) for t in total]
    return Table(key, title, (label, *FIGURES), tuple(out))


def _reasons(rows: Sequence[SatisfactionRow]) -> Table:
    return Table(
        "satisfaction_why",
        "Satisfaction: what mattered most (when the visitor said)",
        (Column("Reason"), Column("Ratings", "int"), Column("Average (1-4)", "minutes")),
        tuple(
            (
                REASON_LABELS.get(r.key, str(r.key)) if r.key else "(none given)",
                r.ratings,
                r.average,
            )
            for r in rows
        ),
    )


def _desk_rows(rows: Sequence[SatisfactionRow]) -> list[SatisfactionRow]:
    return [replace(r, key=f"desk {r.key}" if r.key else "(no desk)") for r in rows]


class SatisfactionSection:
    """Ratings after the visit, beside the visits finished (registered by ``Services``)."""

    key = "satisfaction"

    def _tables(
        self, session: Session, start: date, end: date, previous: Period | None
    ) -> list[Table]:
        total = satisfaction_rows(session, start, end, "all")
        totals: list[tuple[str, Sequence[SatisfactionRow]]] = [("All", total)]
        if previous is not None:
            before = satisfaction_rows(session, previous.start, previous.end, "all")
            totals.append(("All, previous period", before))
        tables = [
            _table(
                "satisfaction",
                "Satisfaction after the visit, per service",
                Column("Service"),
                satisfaction_rows(session, start, end, "service"),
                totals,
            ),
            _table(
                "satisfaction_desk",
                "Satisfaction after the visit, per desk",
                Column("Desk"),
                _desk_rows(satisfaction_rows(session, start, end, "desk")),
                totals[:1],
            ),
        ]
        if previous is not None:
            tables.append(
                _table(
                    "satisfaction_days",
                    "Satisfaction after the visit, per day",
                    Column("Day", "date"),
                    satisfaction_rows(session, start, end, "day"),
                    totals[:1],
                )
            )
        tables.append(_reasons(satisfaction_rows(session, start, end, "reason")))
        return tables

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]:
        return self._tables(session, day, day, None)

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        return self._tables(session, period.start, period.end, previous)
