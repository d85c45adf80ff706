"""Several read statements in one round trip to the database.

A page that shows several independent lists (the course page's sections) waits for each
statement's round trip in turn. `batched_raw()` makes a lazy `raw()` queryset as usual; hand a
few of them to `run_together()` and they travel as one multi-statement execute where the
connection allows it (PostgreSQL with client-side parameter binding, Django's default), each
queryset then reading its own result set. Elsewhere (SQLite: in-process, no round trip to save;
PostgreSQL with server-side binding, which refuses multiple statements) nothing happens and
each queryset runs its own statement when read, so results never depend on the database.

The rows go through Django's own raw() machinery (model instances, converters, annotations):
only where they come from changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model
from django.db.models.query import RawQuerySet
from django.db.models.sql.query import RawQuery

_M = TypeVar("_M", bound=Model)


class _ResultSet:
    """What `RawQuery` reads from its cursor (description, rows, close), already fetched."""

    def __init__(self, description: Any, rows: list[tuple[Any, ...]]) -> None:
        self.description = description
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)

    def close(self) -> None:
        pass


class _BatchableRawQuery(RawQuery):
    """A RawQuery that reads a result set fetched for it by `run_together`, if there is one.

    Django's RawQuery runs its statement in `_execute_query` (Django 5.2); this one runs it only
    when no batch fetched it. Cloning (`.using()`) gives a plain RawQuery: it runs again.
    """

    fetched: _ResultSet | None = None

    def _execute_query(self) -> None:
        if self.fetched is None:
            super()._execute_query()  # type: ignore[misc]  # not in django-stubs
        else:
            self.cursor = self.fetched  # type: ignore[assignment]  # what it reads of a cursor


def batched_raw(
    model: type[_M], sql: str, params: Sequence[Any] = (), *, using: str = "default"
) -> RawQuerySet[_M]:
    """`model.objects.raw(sql, params)` that `run_together` can run with others."""
    query = _BatchableRawQuery(sql, using, params=tuple(params))
    # django-stubs types `query` as Query; RawQuerySet takes and makes a RawQuery.
    return RawQuerySet(sql, model=model, query=query, params=tuple(params), using=using)  # type: ignore[arg-type]


def _takes_several_statements(cursor: Any) -> bool:
    """PostgreSQL with client-side binding: psycopg then sends one simple query, which may hold
    several statements (server-side binding prepares it, which refuses them)."""
    if cursor.db.vendor != "postgresql":
        return False
    import psycopg  # PostgreSQL only: the driver is there

    return isinstance(cursor.cursor, psycopg.ClientCursor)


def run_together(querysets: Sequence[RawQuerySet[Any]]) -> None:
    """Fetch the rows of these `batched_raw` querysets in one round trip where possible.

    They must all use the same database. Reading them afterwards costs no query; a database
    error surfaces here, as it would have when reading the first of them.
    """
    pending = [qs for qs in querysets if isinstance(qs.query, _BatchableRawQuery)]
    if len(pending) < 2:
        return
    using = pending[0].query.using
    if any(qs.query.using != using for qs in pending):
        return
    connection = connections[using]
    adapt = connection.ops.adapt_unknown_value
    with connection.cursor() as cursor:
        if not _takes_several_statements(cursor):
            return
        params = [adapt(value) for qs in pending for value in qs.query.params]
        cursor.execute(";\n".join(qs.query.sql for qs in pending), params)
        for index, qs in enumerate(pending):
            if index:
                cursor.nextset()
            query: _BatchableRawQuery = qs.query  # type: ignore[assignment]
            query.fetched = _ResultSet(cursor.description, cursor.fetchall())


_T = TypeVar("_T")
_UNREAD = object()


class Planned(Generic[_T]):
    """A read planned ahead: its lazy rows and what turns them into the caller's value.

    Plan several, `run_together` their `rows`, then ask each for its `result()`."""

    def __init__(self, rows: RawQuerySet[Any], finish: Callable[[list[Any]], _T]) -> None:
        self.rows = rows
        self._finish = finish
        self._result: Any = _UNREAD

    def result(self) -> _T:
        if self._result is _UNREAD:
            self._result = self._finish(list(self.rows))
        return self._result  # type: ignore[no-any-return]
