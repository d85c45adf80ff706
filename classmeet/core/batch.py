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


class RawRows:
    """The plain rows (tuples, as the driver gives them) of a statement that has no model (a
    count): `batched_raw` without the model, for `run_together` and `Planned`."""

    def __init__(self, sql: str, params: Sequence[Any] = (), *, using: str = "default") -> None:
        self.query = _BatchableRawQuery(sql, using, params=tuple(params))

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        try:
            rows = list(self.query)
        finally:  # as Django's raw() iterator: the statement's cursor closed once read
            cursor = getattr(self.query, "cursor", None)
            if cursor is not None:
                cursor.close()
        return iter(rows)


def batched_rows(sql: str, params: Sequence[Any] = (), *, using: str = "default") -> RawRows:
    """The rows of `sql` as tuples, lazily, for `run_together` with `batched_raw` querysets."""
    return RawRows(sql, params, using=using)


def _takes_several_statements(cursor: Any) -> bool:
    """PostgreSQL with client-side binding: psycopg then sends one simple query, which may hold
    several statements (server-side binding prepares it, which refuses them)."""
    if cursor.db.vendor != "postgresql":
        return False
    import psycopg  # PostgreSQL only: the driver is there

    return isinstance(cursor.cursor, psycopg.ClientCursor)


def run_together(querysets: Sequence[RawQuerySet[Any] | RawRows]) -> None:
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

    def __init__(self, rows: RawQuerySet[Any] | RawRows, finish: Callable[[list[Any]], _T]) -> None:
        self.rows = rows
        self._finish = finish
        self._result: Any = _UNREAD

    def result(self) -> _T:
        if self._result is _UNREAD:
            self._result = self._finish(list(self.rows))
        return self._result  # type: ignore[no-any-return]


# Reads of every page's layout (the navbar's unread count), planned per request -------------------

PageReadPlanner = Callable[[Any], "Planned[Any] | None"]
_page_reads: dict[str, PageReadPlanner] = {}


def register_page_read(name: str, planner: PageReadPlanner) -> None:
    """Register a read that the base template makes on every page (from an app's `ready()`):
    `planner(request)` plans it, or returns None when the page will not make it."""
    _page_reads[name] = planner


def plan_page_reads(request: Any) -> dict[str, Planned[Any]]:
    """Plan this request's layout reads, for a view to send with its own (`run_together`);
    `page_read` then finds them. A view that does not call this loses nothing: each context
    processor reads alone, as before."""
    plans = {}
    for name, planner in _page_reads.items():
        planned = planner(request)
        if planned is not None:
            plans[name] = planned
    request.planned_page_reads = plans
    return plans


def page_read(request: Any, name: str) -> Planned[Any] | None:
    """The layout read `name` planned for this request by its view, if it was."""
    return getattr(request, "planned_page_reads", {}).get(name)
