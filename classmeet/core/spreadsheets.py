"""CSV exports: cells a spreadsheet shows as text, never runs as formulas, as one response or
streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """The text of one cell: a datetime in ISO 8601 in the active zone, None empty, and a text
    that a spreadsheet would run as a formula quoted with a leading apostrophe."""
    if type(value) is str:  # the common case first: an export has many thousands of cells
        text = value
    elif value is None:
        return ""
    elif isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _headers(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV file built whole (a report of one class)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    _headers(response, filename)
    writer = csv.writer(response)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


class _Line:
    """A file-like for csv.writer that hands back the line it was given."""

    def write(self, value: str) -> str:
        return value


def csv_streaming_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """A CSV file sent row by row as `rows` yields them (a big export starts at once and never
    sits whole in memory)."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Line())
        yield writer.writerow([csv_cell(value) for value in header])
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    _headers(response, filename)
    return response
