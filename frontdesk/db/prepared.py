"""Core statements compiled once and run on the driver's cursor: SQLite's busiest writes.

Call next and finish run two statements each while holding SQLite's one write lock, and
SQLAlchemy's work around each execution (compiled-cache look-up, parameter and result
set-up, event dispatch) cost more than SQLite's own work on them. A :class:`Prepared`
statement is compiled once by SQLAlchemy; its bound values and result columns go
through the same type processors SQLAlchemy uses (so dates and times are stored and
read exactly as elsewhere), its SQL is logged to SQLAlchemy's engine logger (never the
values), and driver errors are raised as SQLAlchemy's (``OperationalError`` etc.), so
callers and the desk's retry handling see no difference. Connection events (such as
``before_cursor_execute``) do not see these statements.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError

_LOG = logging.getLogger("sqlalchemy.engine.Engine")


class Prepared:
    """One INSERT or UPDATE (with or without RETURNING) for a dialect with "qmark"
    parameters (SQLite), run inside the caller's transaction; or one SELECT, run on a
    driver connection by :meth:`frontdesk.db.Database.read_rows` (finding a visitor or
    a ticket: there SQLAlchemy's connection and result objects cost more than SQLite)."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        if dialect.paramstyle != "qmark":
            raise ValueError(f"Prepared runs qmark statements, not {dialect.paramstyle}")
        compiled: Any = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("Prepared cannot render parameters at execution time")
        self.sql: str = compiled.string
        self._dialect = dialect
        # The statement's values: those fixed in it (already processed), and per parameter
        # the caller gives: its processor and its places (a parameter such as "now" is
        # processed once, however often it appears).
        template: list[Any] = []
        params: dict[str, tuple[Any, list[int]]] = {}
        for place, name in enumerate(compiled.positiontup):
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                first, places = params.setdefault(bind.key, (bind.type, []))
                if type(first) is not type(bind.type):
                    raise ValueError(f"parameter {bind.key!r} has two types")
                places.append(place)
                template.append(None)
            else:
                value = bind.effective_value
                template.append(process(value) if process and value is not None else value)
        self._template = tuple(template)
        self._params = tuple(
            (key, type_.dialect_impl(dialect).bind_processor(dialect), tuple(places))
            for key, (type_, places) in params.items()
        )
        returning = list(statement.exported_columns)  # the RETURNING columns, if any
        self._row: Any = namedtuple("_Row", [c.key for c in returning]) if returning else None
        self._results = tuple(
            (place, process)
            for place, process in enumerate(
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returning
            )
            if process is not None
        )

    def _values(self, params: Mapping[str, Any]) -> list[Any]:
        values = list(self._template)
        for key, process, places in self._params:
            value = params[key]
            if process is not None and value is not None:
                value = process(value)
            for place in places:
                values[place] = value
        return values

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        if _LOG.isEnabledFor(logging.INFO):
            _LOG.info(self.sql)  # like SQLAlchemy's echo; the values are never logged
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        dbapi_error = self._dialect.loaded_dbapi.Error
        try:
            cursor.execute(self.sql, self._values(params))
            return cursor.fetchone() if self._row is not None else None
        except dbapi_error as exc:
            raise DBAPIError.instance(
                self.sql, None, exc, dbapi_error, hide_parameters=True, dialect=self._dialect
            ) from exc
        finally:
            cursor.close()

    def rows(
        self, driver: Any, params: Mapping[str, Any], into: Callable[..., Any] | None = None
    ) -> list[Any]:
        """A SELECT's rows on ``driver`` (a sqlite3 connection), each converted like
        one_or_none's row: the columns by name, or their values passed to ``into``."""
        if _LOG.isEnabledFor(logging.INFO):
            _LOG.info(self.sql)
        dbapi_error = self._dialect.loaded_dbapi.Error
        try:
            raw = driver.execute(self.sql, self._values(params)).fetchall()
        except dbapi_error as exc:
            raise DBAPIError.instance(
                self.sql, None, exc, dbapi_error, hide_parameters=True, dialect=self._dialect
            ) from exc
        make = into or self._row
        out = []
        for row in raw:
            values = list(row)
            for place, process in self._results:
                if values[place] is not None:
                    values[place] = process(values[place])
            out.append(make(*values))
        return out

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> None:
        self._run(conn, params)

    def one_or_none(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The RETURNING row (its columns by name), or None when no row changed."""
        raw = self._run(conn, params)
        if raw is None:
            return None
        values = list(raw)
        for place, process in self._results:
            if values[place] is not None:
                values[place] = process(values[place])
        return self._row._make(values)
