"""Pages of a list for the HTML pages, without a COUNT query when the first page is all there is."""

from typing import TYPE_CHECKING, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model

if TYPE_CHECKING:
    from django.core.paginator import _SupportsPagination

M = TypeVar("M", bound=Model)


def page_of(rows: "_SupportsPagination[M]", number: str | None, size: int) -> Page[M]:
    """Return Paginator(rows, size).get_page(number).

    For the first page, one row more than a page is read: with no more rows than a page, that
    is the whole list and needs no count; otherwise the paginator counts when asked.
    """
    if number not in (None, "", "1"):
        return Paginator(rows, size).get_page(number)
    first = list(rows[: size + 1])
    if len(first) <= size:
        return Paginator(first, size).page(1)
    return Page(first[:size], 1, Paginator(rows, size))
