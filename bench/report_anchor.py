"""The reports' second anchor: every figure the report shows, by hand-written SQL.

The first anchor (bench/run.py, ``_anchor_sql``) counts and averages per service with one
GROUP BY. The report shows much more: the previous period beside this one, exact medians
and 90th percentiles, distinct visitors per category and nationality, contacts, BSN
appointments, referrals and packs. This module computes every one of those figures the
shortest way a competent engineer would write by hand for each database: plain SQL
strings on the driver's connection (sqlite3, psycopg), in one read transaction, and
Python only where the database cannot do it (exact percentiles on SQLite, which has no
``percentile_cont``). The bench checks that its figures equal the report's
(:func:`check`), so the ratio between the two is what our code adds over the database's
own work for the same answer.

Longer than the ~700 lines a module keeps to, on purpose: the anchor is the whole report
written by hand for both databases, and it is read and checked as one piece.

Labels (service and channel names, weekday names, countries) come from the same tables
and constants the report uses; they are not figures.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from frontdesk.clock import Clock
from frontdesk.config import WEEKDAYS
from frontdesk.services.appointments import KINDS
from frontdesk.services.appointments import STATUSES as APPOINTMENT_STATUSES
from frontdesk.services.feedback import REASON_LABELS
from frontdesk.services.fields import country
from frontdesk.services.queue import CHANNELS
from frontdesk.services.referrals import OUTCOMES
from frontdesk.services.referrals import STATUSES as REFERRAL_STATUSES
from frontdesk.services.reports import DayFigures, Period, PeriodReport
from frontdesk.services.rules import target_wait_of
from frontdesk.services.visitors import CATEGORIES

TOP = 10
WORK_MEM = "32MB"  # the same setting the report's read uses on PostgreSQL


# -- helpers: what the report's tables hold -------------------------------------------------
def _interpolate(ordered: Sequence[float], q: float) -> float | None:
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _pct(now: int, before: int) -> float | None:
    return (now - before) / before if before else None


def _compared(labels: Mapping[str, str], now: Mapping[Any, int], before: Mapping[Any, int]) -> Any:
    keys: list[Any] = [k for k in labels if k in now or k in before]
    keys += sorted({*now, *before} - set(keys), key=str)
    rows = []
    for k in keys:
        n, b = now.get(k, 0), before.get(k, 0)
        rows.append((labels.get(k, str(k)), n, b, n - b, _pct(n, b)))
    tn, tb = sum(now.values()), sum(before.values())
    rows.append(("All", tn, tb, tn - tb, _pct(tn, tb)))
    return tuple(rows)


def _split(rows: Sequence[Any], keys: int = 1) -> list[dict[Any, int]]:
    """(is this period, key..., count) rows -> [now, before] per key column."""
    out: list[dict[Any, int]] = [{} for _ in range(2 * keys)]
    for flag, *key, n in rows:
        for i, k in enumerate(key):
            into = out[2 * i + (0 if flag else 1)]
            into[k] = into.get(k, 0) + n
    return out


def _instants(period: Period, clock: Clock) -> tuple[datetime, datetime]:
    return clock.day_bounds(period.start)[0], clock.day_bounds(period.end)[1]


def _sqlite_at(moment: datetime) -> str:
    """A parameter for a SQLite timestamp column: naive UTC text, as the app stores it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# -- the period ----------------------------------------------------------------------------
_SQLITE_WAIT = "(julianday(first_called_at) - julianday(arrived_at)) * 1440.0"
_SQLITE_SERVE = "(julianday(finished_at) - julianday(first_called_at)) * 1440.0"
_PG_WAIT = "CAST(extract(epoch FROM first_called_at - arrived_at) / 60.0 AS float8)"
_PG_SERVE = "CAST(extract(epoch FROM finished_at - first_called_at) / 60.0 AS float8)"

# Both databases: the sections that count (previous period and this one in one scan:
# the previous period ends the day before this one starts).
_CONTACTS = (
    "SELECT at >= {s}, channel, count(*), sum(minutes) FROM contact_moments "
    "WHERE at >= {ps} AND at < {e} GROUP BY 1, 2"
)
_APPOINTMENTS = (
    "SELECT day >= {a}, kind, status, count(*) FROM appointments "
    "WHERE day >= {pa} AND day <= {b} GROUP BY 1, 2, 3"
)
_BSN = (
    "SELECT a.day >= {a}, coalesce(p.bsn_outcome, 'none'), count(*) "
    "FROM appointment_persons p JOIN appointments a ON a.id = p.appointment_id "
    "WHERE a.day >= {pa} AND a.day <= {b} AND a.status = 'completed' "
    "AND a.kind = 'first_registration' GROUP BY 1, 2"
)
_REFERRALS = (
    "SELECT r.created_at >= {s}, p.category, r.status, count(*) FROM referrals r "
    "JOIN partners p ON p.id = r.partner_id "
    "WHERE r.created_at >= {ps} AND r.created_at < {e} GROUP BY 1, 2, 3"
)
_OUTCOMES = (
    "SELECT outcome_at >= {s}, outcome, count(*) FROM referrals "
    "WHERE outcome_at >= {ps} AND outcome_at < {e} AND outcome IS NOT NULL GROUP BY 1, 2"
)
_PACKS = (
    "SELECT i.at >= {s}, t.name, count(*) FROM pack_issues i "
    "JOIN pack_types t ON t.id = i.pack_type_id "
    "WHERE i.at >= {ps} AND i.at < {e} GROUP BY 1, 2"
)
_TARGET = "SELECT value FROM centre_rules WHERE key = 'target_wait'"
# The previous period's tickets per service (the services table's comparison columns),
# from the tickets' index alone.
_PREVIOUS = (
    "SELECT service_id, count(*) FROM tickets WHERE day >= {pa} AND day < {a} GROUP BY service_id"
)

# SQLite: counts per service and per day (each from the (day, status, service) index),
# every called ticket's wait sorted by the database (the percentiles need each value),
# served visits and distinct visitors per category and nationality (a visitor has one
# of each, so the category's visitors are the sum over its nationalities).
_SQLITE_PERIOD = {
    "per_service": (
        "SELECT service_id, count(*), sum(status = 'done'), sum(status = 'no_show'), "
        "sum(status = 'cancelled'), sum(status = 'not_served') FROM tickets "
        "WHERE day >= :a AND day <= :b GROUP BY service_id"
    ),
    "per_day": (
        "SELECT day, count(*), sum(status = 'done') FROM tickets "
        "WHERE day >= :a AND day <= :b GROUP BY day"
    ),
    "waits": (
        f"SELECT service_id, {_SQLITE_WAIT} AS w, status = 'done', "
        f"CASE WHEN status = 'done' THEN {_SQLITE_SERVE} END FROM tickets "
        "WHERE day >= :a AND day <= :b AND first_called_at IS NOT NULL ORDER BY service_id, w"
    ),
    # Each visitor's served visits first (one group per visitor, then one look-up per
    # visitor): 2.6x faster than counting DISTINCT visitors per (category, nationality).
    "visitors": (
        "SELECT v.category, v.nationality, sum(x.n), sum(x.n > 0), sum(x.pn) "
        "FROM (SELECT visitor_id, sum(day >= :a) AS n, sum(day < :a) AS pn FROM tickets "
        "WHERE day >= :pa AND day <= :b AND status = 'done' AND visitor_id IS NOT NULL "
        "GROUP BY visitor_id) x JOIN visitors v ON v.id = x.visitor_id "
        "GROUP BY v.category, v.nationality"
    ),
}
_SQLITE_NAMED = {"s": ":s", "ps": ":ps", "e": ":e", "a": ":a", "pa": ":pa", "b": ":b"}
_PG_NAMED = {k: f"%({k})s" for k in _SQLITE_NAMED}

# PostgreSQL: the counts per service and per day in one scan (grouping sets); the waits'
# count, mean, median, 90th percentile and share within the target per service and for
# all services, by percentile_cont (exact: it interpolates as the report does); the
# visitors per category and per nationality (grouping sets, distinct visitors).
_PG_PERIOD = {
    "counts": (
        "SELECT service_id, day, count(*), count(*) FILTER (WHERE status = 'done'), "
        "count(*) FILTER (WHERE status = 'no_show'), "
        "count(*) FILTER (WHERE status = 'cancelled'), "
        "count(*) FILTER (WHERE status = 'not_served') FROM tickets "
        "WHERE day >= %(a)s AND day <= %(b)s GROUP BY GROUPING SETS ((service_id), (day))"
    ),
    "waits": (
        "SELECT service_id, count(*), avg(w), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY w), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY w), "
        "count(*) FILTER (WHERE w <= %(limit)s), sum(s), count(*) FILTER (WHERE done) "
        f"FROM (SELECT service_id, {_PG_WAIT} AS w, status = 'done' AS done, "
        f"CASE WHEN status = 'done' THEN {_PG_SERVE} END AS s FROM tickets "
        "WHERE day >= %(a)s AND day <= %(b)s AND first_called_at IS NOT NULL) x "
        "GROUP BY GROUPING SETS ((service_id), ())"
    ),
    # Each visitor's served visits first, as on SQLite (1.5x faster than DISTINCT).
    "visitors": (
        "SELECT GROUPING(v.category), v.category, v.nationality, CAST(sum(x.n) AS bigint), "
        "count(*) FILTER (WHERE x.n > 0), CAST(sum(x.pn) AS bigint) "
        "FROM (SELECT visitor_id, count(*) FILTER (WHERE day >= %(a)s) AS n, "
        "count(*) FILTER (WHERE day < %(a)s) AS pn FROM tickets "
        "WHERE day >= %(pa)s AND day <= %(b)s AND status = 'done' AND visitor_id IS NOT NULL "
        "GROUP BY visitor_id) x JOIN visitors v ON v.id = x.visitor_id "
        "GROUP BY GROUPING SETS ((v.category), (v.nationality))"
    ),
}


def _sections_sql(named: Mapping[str, str]) -> dict[str, str]:
    return {
        key: sql.format(**named)
        for key, sql in (
            ("contacts", _CONTACTS),
            ("appointments", _APPOINTMENTS),
            ("bsn", _BSN),
            ("referrals", _REFERRALS),
            ("outcomes", _OUTCOMES),
            ("packs", _PACKS),
            ("previous", _PREVIOUS),
        )
    }


_SQLITE_SECTIONS = _sections_sql(_SQLITE_NAMED)
_PG_SECTIONS = _sections_sql(_PG_NAMED)


# The satisfaction sections: finished visits (tickets done) with their rating, if any:
# per service, per desk and per reason over this period; per day over both periods (the
# "All" rows are the days' sums: a rating's score is a whole number, so the average from
# the sums is the database's). Each in the report's order (NULL first on SQLite, last on
# PostgreSQL). Four plain scans: on PostgreSQL, one scan with grouping sets took longer.
_SAT_FIGURES = (
    "count(*), count(r.id), sum(r.score), "
    + ", ".join(f"sum(CASE WHEN r.score = {s} THEN 1 ELSE 0 END)" for s in (1, 2, 3, 4))
    + " FROM tickets t LEFT JOIN ratings r ON r.ticket_id = t.id "
)
_SATISFACTION = {
    "service": (
        f"SELECT s.name, {_SAT_FIGURES} JOIN services s ON s.id = t.service_id "
        "WHERE t.day >= {a} AND t.day <= {b} AND t.status = 'done' GROUP BY s.name ORDER BY s.name"
    ),
    "desk": (
        f"SELECT t.desk, {_SAT_FIGURES} "
        "WHERE t.day >= {a} AND t.day <= {b} AND t.status = 'done' GROUP BY t.desk ORDER BY t.desk"
    ),
    "day": (
        f"SELECT t.day, {_SAT_FIGURES} "
        "WHERE t.day >= {pa} AND t.day <= {b} AND t.status = 'done' GROUP BY t.day ORDER BY t.day"
    ),
    "reason": (
        f"SELECT r.reason, {_SAT_FIGURES} "
        "WHERE t.day >= {a} AND t.day <= {b} AND t.status = 'done' AND r.id IS NOT NULL "
        "GROUP BY r.reason ORDER BY r.reason"
    ),
}
_SQLITE_SATISFACTION = {k: sql.format(**_SQLITE_NAMED) for k, sql in _SATISFACTION.items()}
_PG_SATISFACTION = {k: sql.format(**_PG_NAMED) for k, sql in _SATISFACTION.items()}


def _sat_row(key: Any, counts: Sequence[Any]) -> tuple[Any, ...]:
    """(key, finished, ratings, response rate, average, faces 1-4) from the counts."""
    finished, rated, total, *faces = (int(c or 0) for c in counts)
    return (
        key,
        finished,
        rated,
        rated / finished if finished else None,
        total / rated if rated else None,
        *faces,
    )


def _sat_sum(rows: Sequence[Sequence[Any]]) -> list[int]:
    return [sum(int(r[i] or 0) for r in rows) for i in range(7)]


def _satisfaction(
    service: Sequence[Any],
    desk: Sequence[Any],
    days: Sequence[Any],
    reasons: Sequence[Any],
    now: Sequence[int],
    before: Sequence[int],
) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The four satisfaction tables from (key, counts...) rows in the report's order and
    the two periods' totals."""
    total = [_sat_row("All", now)] if now[0] else []
    totals = total + ([_sat_row("All, previous period", before)] if before[0] else [])
    return {
        "satisfaction": (*(_sat_row(k, c) for k, *c in service), *totals),
        "satisfaction_desk": (
            *(_sat_row(f"desk {k}" if k else "(no desk)", c) for k, *c in desk),
            *total,
        ),
        "satisfaction_days": (*(_sat_row(k, c) for k, *c in days), *total),
        "satisfaction_why": tuple(
            (REASON_LABELS.get(k, str(k)) if k else "(none given)", row[2], row[4])
            for k, row in ((k, _sat_row(k, c)) for k, *c in reasons)
        ),
    }


def _service_row(name: str, counts: Sequence[int], w: Sequence[Any]) -> tuple[Any, ...]:
    """counts: tickets, done, no-show, cancelled, not served; w: called, mean, median,
    p90, within the target, served minutes' sum, served count."""
    n, done, no_show, cancelled, not_served = counts
    called, mean, median, p90, ok, served_sum, served_n = w
    decided = done + no_show
    return (
        name,
        n,
        done,
        no_show,
        cancelled,
        not_served,
        no_show / decided if decided else None,
        mean,
        median,
        p90,
        ok / called if called else None,
        (served_sum or 0.0) / served_n if served_n else None,
    )


def _with_previous(
    rows: list[tuple[Any, ...]], before: Mapping[int, int], sids: Sequence[int]
) -> list[tuple[Any, ...]]:
    """The services table's rows (``sids`` in order, then "All services") with the
    previous period's tickets and the change beside each."""
    out = []
    for row, sid in zip(rows, [*sids, None], strict=True):
        b = sum(before.values()) if sid is None else before.get(sid, 0)
        out.append((*row, b, _pct(row[1], b)))
    return out


def _tables(
    target: int,
    service_rows: list[tuple[Any, ...]],
    per_day: Mapping[date, tuple[int, int]],
    sections: Mapping[str, list[Any]],
    cats: Mapping[Any, tuple[int, int, int]],
    nats: Mapping[Any, tuple[int, int, int]],
) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The report's tables (rows only) from the figures the SQL returned."""
    contacts: list[dict[Any, Any]] = [{}, {}]
    for flag, channel, n, minutes in sections["contacts"]:
        contacts[0 if flag else 1][channel] = (n, minutes or 0)
    contact_rows = []
    for code, label in CHANNELS.items():
        n, minutes = contacts[0].get(code, (0, 0))
        b = contacts[1].get(code, (0, 0))[0]
        contact_rows.append((label, n, minutes, b, n - b, _pct(n, b)))
    tn, tb = sum(r[1] for r in contact_rows), sum(r[3] for r in contact_rows)
    contact_rows.append(
        ("All channels", tn, sum(r[2] for r in contact_rows), tb, tn - tb, _pct(tn, tb))
    )
    cat_rows = []
    for code, label in [*CATEGORIES.items(), (None, "Not recorded")]:
        visits, people, before = cats.get(code, (0, 0, 0))
        if visits or before:
            cat_rows.append((label, visits, people, before, _pct(visits, before)))
    ranked = sorted(
        ((code, f) for code, f in nats.items() if code and f[0]), key=lambda kv: (-kv[1][0], kv[0])
    )[:TOP]
    nat_rows = []
    for rank, (code, (visits, people, _)) in enumerate(ranked, 1):
        found = country(code)
        before = nats[code][2]
        nat_rows.append(
            (
                rank,
                found.name if found else code,
                code,
                visits,
                people,
                before,
                visits - before,
                _pct(visits, before),
            )
        )
    kinds, kinds_b, statuses, statuses_b = _split(sections["appointments"], 2)
    bsn, bsn_b = _split(sections["bsn"])
    made, made_b, rstatus, rstatus_b = _split(sections["referrals"], 2)
    outcomes, outcomes_b = _split(sections["outcomes"])
    packs, packs_b = _split(sections["packs"])
    bsn_labels = {
        "issued": "BSN issued at the desk",
        "by_post": "BSN to follow by post",
        "none": "no BSN outcome recorded",
    }
    return {
        "services": tuple(service_rows),
        "days": tuple(
            (d, WEEKDAYS[d.weekday()].capitalize(), n, s) for d, (n, s) in sorted(per_day.items())
        ),
        "contacts": tuple(contact_rows),
        "categories": tuple(cat_rows),
        "nationalities": tuple(nat_rows),
        "appointments": _compared(KINDS, kinds, kinds_b),
        "appointment_outcomes": _compared(APPOINTMENT_STATUSES, statuses, statuses_b),
        "bsn": _compared(bsn_labels, bsn, bsn_b),
        "referrals": _compared({}, made, made_b),
        "referral_status": _compared(REFERRAL_STATUSES, rstatus, rstatus_b),
        "referral_outcomes": _compared(OUTCOMES, outcomes, outcomes_b),
        "packs": _compared({}, packs, packs_b),
    }


def _sqlite_period(
    driver: Any, period: Period, clock: Clock, default_target: int
) -> dict[str, tuple[tuple[Any, ...], ...]]:
    previous = period.previous()
    s, e = _instants(period, clock)
    ps, _ = _instants(previous, clock)
    params = {
        "a": period.start.isoformat(),
        "b": period.end.isoformat(),
        "pa": previous.start.isoformat(),
        "s": _sqlite_at(s),
        "e": _sqlite_at(e),
        "ps": _sqlite_at(ps),
    }
    driver.execute("BEGIN")
    try:
        (value,) = driver.execute(_TARGET).fetchone() or (None,)
        names = dict(driver.execute("SELECT id, name FROM services").fetchall())
        per_service = driver.execute(_SQLITE_PERIOD["per_service"], params).fetchall()
        per_day = driver.execute(_SQLITE_PERIOD["per_day"], params).fetchall()
        waits = driver.execute(_SQLITE_PERIOD["waits"], params).fetchall()
        visitors = driver.execute(_SQLITE_PERIOD["visitors"], params).fetchall()
        sections = {
            k: driver.execute(sql, params).fetchall() for k, sql in _SQLITE_SECTIONS.items()
        }
        sat = {k: driver.execute(sql, params).fetchall() for k, sql in _SQLITE_SATISFACTION.items()}
    finally:
        driver.execute("COMMIT")
    import json

    target = target_wait_of(None if value is None else json.loads(value), _Target(default_target))
    limit = target + 0.001  # as the report: julianday() makes 20 minutes 20.000001
    # The waits come sorted per service: the percentiles are positions in each run.
    sids, w, done, served = zip(*waits, strict=True) if waits else ((),) * 4
    rows = []
    totals = [0] * 5
    all_w: list[float] = []
    all_served: list[float] = []
    all_ok = all_done = 0
    start = 0
    before = dict(sections["previous"])
    current = {sid for sid, *_ in per_service}
    per_service += [(sid, 0, 0, 0, 0, 0) for sid in before if sid not in current]
    for sid, *counts in sorted(per_service):
        end = bisect_right(sids, sid, start)
        ws = w[start:end]
        served_list = [m for m in served[start:end] if m is not None]
        n_done = sum(done[start:end])
        ok = bisect_right(ws, limit)
        rows.append(
            _service_row(
                names[sid],
                counts,
                (
                    len(ws),
                    math.fsum(ws) / len(ws) if ws else None,
                    _interpolate(ws, 0.5),
                    _interpolate(ws, 0.9),
                    ok,
                    math.fsum(served_list),
                    n_done,
                ),
            )
        )
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        all_w += ws
        all_served += served_list
        all_ok += ok
        all_done += n_done
        start = end
    if rows:
        all_w.sort()
        rows.append(
            _service_row(
                "All services",
                totals,
                (
                    len(all_w),
                    math.fsum(all_w) / len(all_w) if all_w else None,
                    _interpolate(all_w, 0.5),
                    _interpolate(all_w, 0.9),
                    all_ok,
                    math.fsum(all_served),
                    all_done,
                ),
            )
        )
    cats: dict[Any, tuple[int, int, int]] = {}
    nats: dict[Any, tuple[int, int, int]] = {}
    for cat, nat, *f in visitors:
        for into, key in ((cats, cat), (nats, nat)):
            was = into.get(key, (0, 0, 0))
            into[key] = (was[0] + f[0], was[1] + f[1], was[2] + f[2])
    rows = _with_previous(rows, before, sorted(sid for sid, *_ in per_service))
    days = {date.fromisoformat(d): (n, sv) for d, n, sv in per_day}
    sat_days = [(date.fromisoformat(d), *c) for d, *c in sat["day"]]
    satisfaction = _period_satisfaction(sat, sat_days, period.start)
    return {**_tables(target, rows, days, sections, cats, nats), **satisfaction}


def _period_satisfaction(
    sat: Any, days: Sequence[Any], start: date
) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The satisfaction sections from the per-day rows of both periods (before ``start``:
    the period compared with)."""
    this = [r for r in days if r[0] >= start]
    return _satisfaction(
        sat["service"],
        sat["desk"],
        this,
        sat["reason"],
        _sat_sum([r[1:] for r in this]),
        _sat_sum([r[1:] for r in days if r[0] < start]),
    )


def _pg_period(
    driver: Any, period: Period, clock: Clock, default_target: int
) -> dict[str, tuple[tuple[Any, ...], ...]]:
    previous = period.previous()
    s, e = _instants(period, clock)
    ps, _ = _instants(previous, clock)
    params: dict[str, Any] = {
        "a": period.start,
        "b": period.end,
        "pa": previous.start,
        "s": s,
        "e": e,
        "ps": ps,
    }
    try:
        with driver.cursor() as cur:
            cur.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cur.execute(_TARGET)
            (value,) = cur.fetchone() or (None,)
            target = target_wait_of(value, _Target(default_target))
            params["limit"] = target + 0.001  # as the report
            cur.execute("SELECT id, name FROM services")
            names = dict(cur.fetchall())
            counts = cur.execute(_PG_PERIOD["counts"], params).fetchall()
            waits = cur.execute(_PG_PERIOD["waits"], params).fetchall()
            visitors = cur.execute(_PG_PERIOD["visitors"], params).fetchall()
            sections = {k: cur.execute(sql, params).fetchall() for k, sql in _PG_SECTIONS.items()}
            sat = {k: cur.execute(sql, params).fetchall() for k, sql in _PG_SATISFACTION.items()}
    finally:
        driver.commit()
    per_service = {sid: c for sid, day, *c in counts if day is None}
    per_day = {day: (c[0], c[1]) for sid, day, *c in counts if day is not None}
    before = dict(sections["previous"])
    for sid in before:
        per_service.setdefault(sid, [0] * 5)
    waits_of = {sid: w for sid, *w in waits}
    none = (0, None, None, None, 0, 0.0, 0)
    rows = [
        _service_row(names[sid], per_service[sid], waits_of.get(sid, none))
        for sid in sorted(per_service)
    ]
    if rows:
        totals = [sum(c[i] for c in per_service.values()) for i in range(5)]
        rows.append(_service_row("All services", totals, waits_of.get(None, none)))
    rows = _with_previous(rows, before, sorted(per_service))
    cats = {c: tuple(f) for g, c, _, *f in visitors if g == 0}
    nats = {n: tuple(f) for g, _, n, *f in visitors if g == 1}
    satisfaction = _period_satisfaction(sat, sat["day"], period.start)
    tables = _tables(target, rows, per_day, sections, cats, nats)  # type: ignore[arg-type]
    return {**tables, **satisfaction}


class _Target:
    """Settings' target wait, for target_wait_of (the config's default)."""

    def __init__(self, minutes: int) -> None:
        self.target_wait_minutes = minutes


def report_tables(report: PeriodReport) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The report's tables in the anchor's shape."""
    out = {t.key: t.rows for t in report.tables}
    return out


# -- the day -------------------------------------------------------------------------------
def _sqlite_us(start: str, end: str) -> str:
    """Whole microseconds from start to end of two stored timestamps, exact."""
    return (
        f"((unixepoch({end}) - unixepoch({start})) * 1000000 "
        f"+ CAST(substr({end}, 21, 6) AS INTEGER) - CAST(substr({start}, 21, 6) AS INTEGER))"
    )


_SQLITE_DAY = (
    "SELECT t.service_id, s.name, t.status, t.desk, st.name, "
    f"{_sqlite_us('t.arrived_at', 't.first_called_at')}, "
    f"CASE WHEN t.status = 'done' THEN {_sqlite_us('t.first_called_at', 't.finished_at')} END, "
    "unixepoch(t.arrived_at) - :start_s "
    "FROM tickets t JOIN services s ON s.id = t.service_id "
    "LEFT JOIN staff st ON st.id = t.staff_id WHERE t.day = :day "
    "ORDER BY t.arrived_at, t.id"
)
_DAY_EXTRA = (
    "SELECT (SELECT value FROM centre_rules WHERE key = 'target_wait'), "
    "(SELECT closed_at FROM closed_days WHERE day = {day})"
)
_DAY_CONTACTS = (
    "SELECT channel, count(*) FROM contact_moments WHERE at >= {s} AND at < {e} GROUP BY channel"
)
_PG_US = "CAST(extract(epoch FROM {end} - {start}) * 1000000 AS bigint)"
_PG_MIN = "CAST(" + _PG_US + " AS float8) / 1000000 / 60"
# One scan of the day's tickets, every group at once: per service, per desk, per staff
# member, per hour of arrival and the whole day; waits and service times with
# percentile_cont.
_PG_DAY = (
    "SELECT GROUPING(service_id), GROUPING(desk), GROUPING(staff), GROUPING(h), "
    "service_id, sname, desk, staff, h, count(*), "
    "count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'no_show'), "
    "count(*) FILTER (WHERE status = 'cancelled'), "
    "count(*) FILTER (WHERE status = 'not_served'), "
    "count(*) FILTER (WHERE status IN ('waiting', 'called', 'on_hold')), "
    "count(w), avg(w), percentile_cont(0.5) WITHIN GROUP (ORDER BY w), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY w), "
    "count(sv), avg(sv), percentile_cont(0.5) WITHIN GROUP (ORDER BY sv), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY sv), "
    "count(*) FILTER (WHERE w <= %(target)s) "
    "FROM (SELECT t.service_id, s.name AS sname, t.status, t.desk, st.name AS staff, "
    + _PG_MIN.format(start="t.arrived_at", end="t.first_called_at")
    + " AS w, CASE WHEN t.status = 'done' THEN "
    + _PG_MIN.format(start="t.first_called_at", end="t.finished_at")
    + " END AS sv, "
    "CAST(floor(extract(epoch FROM t.arrived_at - %(start)s) / 3600) AS integer) AS h "
    "FROM tickets t JOIN services s ON s.id = t.service_id "
    "LEFT JOIN staff st ON st.id = t.staff_id WHERE t.day = %(day)s) x "
    "GROUP BY GROUPING SETS ((service_id, sname), (desk), (staff), (h), ())"
)


def _stats(values: Sequence[float]) -> tuple[Any, ...]:
    if not values:
        return (0, None, None, None)
    ordered = sorted(values)
    return (
        len(values),
        sum(values) / len(values),
        _interpolate(ordered, 0.5),
        _interpolate(ordered, 0.9),
    )


def _order(key: Any) -> tuple[str, str]:
    return (str(key).zfill(12), str(key))


def _sqlite_day(driver: Any, day: date, clock: Clock, default_target: int) -> dict[str, Any]:
    import json

    start, end = clock.day_bounds(day)
    hours = round((end - start).total_seconds() / 3600)
    params = {"day": day.isoformat(), "start_s": int(start.timestamp())}
    driver.execute("BEGIN")
    try:
        rows = driver.execute(_SQLITE_DAY, params).fetchall()
        value, closed = driver.execute(_DAY_EXTRA.format(day=":day"), params).fetchone()
        contacts = driver.execute(
            _DAY_CONTACTS.format(s=":s", e=":e"), {"s": _sqlite_at(start), "e": _sqlite_at(end)}
        ).fetchall()
    finally:
        driver.execute("COMMIT")
    target = target_wait_of(None if value is None else json.loads(value), _Target(default_target))
    groups: list[dict[Any, list[Any]]] = [{}, {}, {}]
    statuses: dict[str, int] = {}
    waits: list[float] = []
    served: list[float] = []
    arrivals = [0] * hours
    hour_waits: list[list[float]] = [[] for _ in range(hours)]
    for sid, sname, status, desk, staff, wait_us, served_us, arrived_s in rows:
        w = None if wait_us is None else wait_us / 1_000_000 / 60
        m = None if served_us is None else served_us / 1_000_000 / 60
        statuses[status] = statuses.get(status, 0) + 1
        if w is not None:
            waits.append(w)
        if m is not None:
            served.append(m)
        for into, key in zip(groups, ((sid, sname), desk, staff), strict=True):
            if key is not None:
                into.setdefault(key, []).append((status, w, m))
        h = arrived_s // 3600
        if 0 <= h < hours:
            arrivals[h] += 1
            if w is not None:
                hour_waits[h].append(w)

    def group(name: str, members: list[Any]) -> tuple[Any, ...]:
        return (
            name,
            len(members),
            sum(1 for s, _, _ in members if s == "done"),
            sum(1 for s, _, _ in members if s == "no_show"),
            _stats([w for _, w, _ in members if w is not None]),
            _stats([m for _, _, m in members if m is not None]),
        )

    return {
        "counts": (
            len(rows),
            statuses.get("done", 0),
            statuses.get("no_show", 0),
            statuses.get("cancelled", 0),
            statuses.get("not_served", 0),
            sum(statuses.get(s, 0) for s in ("waiting", "called", "on_hold")),
        ),
        "wait": _stats(waits),
        "service_time": _stats(served),
        "target": target,
        "within": sum(w <= target for w in waits) / len(waits) if waits else None,
        "by_service": [group(name, m) for (_, name), m in sorted(groups[0].items())],
        "by_desk": [group(f"Desk {k}", groups[1][k]) for k in sorted(groups[1], key=_order)],
        "by_staff": [group(str(k), groups[2][k]) for k in sorted(groups[2], key=_order)],
        "hourly": [
            (n, sum(ws) / len(ws) if ws else None)
            for n, ws in zip(arrivals, hour_waits, strict=True)
        ],
        "contacts": _channels(contacts),
        "closed": closed is not None,
    }


def _channels(rows: Sequence[Any]) -> list[tuple[str, int]]:
    per = dict(rows)
    return [(label, per.get(code, 0)) for code, label in CHANNELS.items()]


def _pg_day(driver: Any, day: date, clock: Clock, default_target: int) -> dict[str, Any]:
    start, end = clock.day_bounds(day)
    hours = round((end - start).total_seconds() / 3600)
    try:
        with driver.cursor() as cur:
            value, closed = cur.execute(_DAY_EXTRA.format(day="%(day)s"), {"day": day}).fetchone()
            target = target_wait_of(value, _Target(default_target))
            groups = cur.execute(
                _PG_DAY, {"day": day, "start": start, "target": float(target)}
            ).fetchall()
            contacts = cur.execute(
                _DAY_CONTACTS.format(s="%(s)s", e="%(e)s"), {"s": start, "e": end}
            ).fetchall()
    finally:
        driver.commit()
    by: dict[str, list[Any]] = {"service": [], "desk": [], "staff": [], "hour": []}
    whole: Any = None
    for g_service, g_desk, g_staff, g_hour, sid, sname, desk, staff, h, *f in groups:
        n, done, no_show, _, _, _, wn, wm, w50, w90, sn, sm, s50, s90, _ = f
        figures = (n, done, no_show, (wn, wm, w50, w90) if wn else (0, None, None, None))
        figures += ((sn, sm, s50, s90) if sn else (0, None, None, None),)
        if not g_service:
            by["service"].append((sid, sname, figures))
        elif not g_desk:
            if desk is not None:
                by["desk"].append((desk, f"Desk {desk}", figures))
        elif not g_staff:
            if staff is not None:
                by["staff"].append((staff, str(staff), figures))
        elif not g_hour:
            if h is not None and 0 <= h < hours:
                by["hour"].append((h, n, wm))
        else:
            whole = f
    hourly: list[tuple[int, float | None]] = [(0, None)] * hours
    for h, n, wm in by["hour"]:
        hourly[h] = (n, wm)
    n, done, no_show, cancelled, not_served, open_now, wn, wm, w50, w90, sn, sm, s50, s90, ok = (
        whole if whole else (0,) * 15
    )
    return {
        "counts": (n, done, no_show, cancelled, not_served, open_now),
        "wait": (wn, wm, w50, w90) if wn else (0, None, None, None),
        "service_time": (sn, sm, s50, s90) if sn else (0, None, None, None),
        "target": target,
        "within": ok / wn if wn else None,
        "by_service": [(name, *f) for _, name, f in sorted(by["service"])],
        "by_desk": [(name, *f) for _, name, f in sorted(by["desk"], key=lambda x: _order(x[0]))],
        "by_staff": [(name, *f) for _, name, f in sorted(by["staff"], key=lambda x: _order(x[0]))],
        "hourly": hourly,
        "contacts": _channels(contacts),
        "closed": closed is not None,
    }


def day_figures(figures: DayFigures) -> dict[str, Any]:
    """The report's day figures in the anchor's shape."""

    def stats(s: Any) -> tuple[Any, ...]:
        return (s.count, s.mean, s.median, s.p90)

    def groups(gs: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [
            (g.name, g.tickets, g.served, g.no_shows, stats(g.wait), stats(g.service_time))
            for g in gs
        ]

    f = figures
    return {
        "counts": (f.issued, f.served, f.no_shows, f.cancelled, f.not_served, f.open_now),
        "wait": stats(f.wait),
        "service_time": stats(f.service_time),
        "target": f.target_minutes,
        "within": f.within_target,
        "by_service": groups(f.by_service),
        "by_desk": groups(f.by_desk),
        "by_staff": groups(f.by_staff),
        "hourly": [(h.arrivals, h.average_wait) for h in f.hourly],
        "contacts": list(f.contacts),
        "closed": f.closed_at is not None,
    }


# -- running and checking ------------------------------------------------------------------
def runner(
    engine: Any, clock: Clock, default_target: int
) -> tuple[Callable[[Period], Any], Callable[[date], Any], Callable[[], None]]:
    """(period anchor, day anchor, close) on one driver connection of ``engine``."""
    pooled = engine.raw_connection()
    driver = pooled.driver_connection
    sqlite = engine.dialect.name == "sqlite"
    period_fn = _sqlite_period if sqlite else _pg_period
    day_fn = _sqlite_day if sqlite else _pg_day
    return (
        lambda p: period_fn(driver, p, clock, default_target),
        lambda d: day_fn(driver, d, clock, default_target),
        pooled.close,
    )


def _same(a: Any, b: Any) -> bool:
    """Equal figures: counts exactly; minutes and shares to 1e-9 of their value (the
    database adds the means' values in its own order, so the last bit can differ)."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return False
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _covered(ours: Any, anchor: Any) -> Any:
    """The part of a report table the anchor computes: a row's first cells, as many as the
    anchor's row has (every column, since the anchor computes the services sheet's
    comparison with the previous period; kept so a new column is reported, not failed)."""
    if (
        isinstance(ours, (tuple, list))
        and isinstance(anchor, (tuple, list))
        and len(ours) == len(anchor)
        and all(isinstance(r, (tuple, list)) for r in (*ours, *anchor))
    ):
        return tuple(tuple(o[: len(a)]) for o, a in zip(ours, anchor, strict=True))
    return ours


def not_covered(ours: Mapping[str, Any], anchor: Mapping[str, Any]) -> list[str]:
    """The report's tables the hand-written SQL does not compute (said beside the figure,
    so the anchor's ratio is read as what it is)."""
    return sorted(key for key in ours if key not in anchor)


def differences(ours: Mapping[str, Any], anchor: Mapping[str, Any]) -> list[str]:
    """The keys whose figures differ (empty when the anchor and the report agree), over
    the tables and columns the anchor computes."""
    out = []
    for key in sorted(anchor):
        mine = _covered(ours.get(key), anchor[key])
        if not _same(mine, anchor[key]):
            out.append(f"{key}: report {ours.get(key)!r} / hand-written {anchor[key]!r}")
    return out
