"""The plain record a service returns for a row: a frozen dataclass whose fields are, by
name, the row's attributes (an ORM row or a result row), but for those given."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@cache
def _field_names(record: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


def record_of(record: type[R], row: object, **given: Any) -> R:
    """The dataclass ``record`` for ``row``: each field the row's attribute of the same name,
    but for the fields ``given`` (those the row names otherwise or that are worked out)."""
    values = {name: getattr(row, name) for name in _field_names(record) if name not in given}
    return record(**values, **given)
