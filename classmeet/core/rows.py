"""Model instances from rows read by written-out SQL, as the ORM would have made them.

Building an ORM query costs a page several times running it where the statement is short and
fixed (the course page's course, the session's user): those pages write the statement out, with
the column list from the model's `_meta`, and load the row here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db.models import Model

_M = TypeVar("_M", bound=Model)


@functools.cache
def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by `alias`, in `_meta.concrete_fields` order."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


# Per connection (each thread has its own): the converters the ORM's compiler would apply.
_CONVERTERS: WeakKeyDictionary[Any, dict[type[Model], list[tuple[Any, list[Any]]]]] = (
    WeakKeyDictionary()
)


def load(model: type[_M], connection: Any, values: Sequence[Any]) -> _M:
    """An instance of `model` from the values of all its concrete fields (in `columns` order),
    converted as the ORM converts them (SQLite's datetimes, JSON...)."""
    by_model = _CONVERTERS.setdefault(connection, {})
    if model not in by_model:
        cols = [field.get_col(model._meta.db_table) for field in model._meta.concrete_fields]
        by_model[model] = [
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            for col in cols
        ]
    converted = []
    for value, (col, funcs) in zip(values, by_model[model], strict=True):
        for func in funcs:
            value = func(value, col, connection)
        converted.append(value)
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, converted)
