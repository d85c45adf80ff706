"""Links to one object by id without a `reverse()` per row: a list page links 20 discussions and
50 courses, a thread page every comment's forms, the notification page every row's form."""

from collections.abc import Callable
from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import URLResolver

# An id no row has, reversed once, then replaced by each row's id.
_MARKER = 2147483647
# The longest id the URL converters take (`int` and the API's 1-to-18 digit `dbid`).
_MAX_DIGITS = 18


@lru_cache(maxsize=128)
def _parts(
    name: str,
    kwarg: str,
    prefix: str,
    urlconf: str | None,
    resolver: URLResolver,
    fixed: tuple[tuple[str, int], ...] = (),
) -> tuple[str, str]:
    # Keyed on what reverse() depends on: the script prefix and the URLconf, whose resolver is
    # a new object once the URL caches are cleared (a test that overrides ROOT_URLCONF).
    url = reverse(name, kwargs={kwarg: _MARKER, **dict(fixed)}, urlconf=urlconf)
    before, _, after = url.rpartition(str(_MARKER))
    return before, after


def id_url_for(name: str, kwarg: str, **fixed: int) -> Callable[[int], str]:
    """Return f(pk) == reverse(name, kwargs={kwarg: pk, **fixed}), the URL's shape worked out once.

    For the rows of one page (it keeps this request's script prefix and URLconf). `fixed` are the
    ids every row shares (the course of a roster's rows).
    """
    urlconf = get_urlconf()
    key = tuple(sorted((k, int(v)) for k, v in fixed.items()))
    before, after = _parts(name, kwarg, get_script_prefix(), urlconf, get_resolver(urlconf), key)

    def url(pk: int) -> str:
        text = str(pk)
        if type(pk) is not int or pk < 0 or len(text) > _MAX_DIGITS:
            # Not a row id: reverse() decides (the converters refuse it).
            return reverse(name, kwargs={kwarg: pk, **fixed}, urlconf=urlconf)
        return f"{before}{text}{after}"

    return url


def id_url(name: str, kwarg: str, pk: int, **fixed: int) -> str:
    """Return reverse(name, kwargs={kwarg: pk, **fixed}) for a URL taking integer ids."""
    return id_url_for(name, kwarg, **fixed)(pk)


@lru_cache(maxsize=128)
def _fixed(name: str, prefix: str, urlconf: str | None, resolver: URLResolver) -> str:
    return reverse(name, urlconf=urlconf)


def name_url(name: str) -> str:
    """Return reverse(name) for a URL without arguments (the navbar's links on every page)."""
    urlconf = get_urlconf()
    return _fixed(name, get_script_prefix(), urlconf, get_resolver(urlconf))
