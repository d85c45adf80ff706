"""Links to one object by id without a `reverse()` per row: a list page links 20 discussions and
50 courses, a thread page every comment's forms, the notification page every row's form."""

from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import URLResolver

# An id no row has, reversed once, then replaced by each row's id.
_MARKER = 2147483647


@lru_cache(maxsize=128)
def _parts(
    name: str, kwarg: str, prefix: str, urlconf: str | None, resolver: URLResolver
) -> tuple[str, str]:
    # Keyed on what reverse() depends on: the script prefix and the URLconf, whose resolver is
    # a new object once the URL caches are cleared (a test that overrides ROOT_URLCONF).
    url = reverse(name, kwargs={kwarg: _MARKER}, urlconf=urlconf)
    before, _, after = url.rpartition(str(_MARKER))
    return before, after


def id_url(name: str, kwarg: str, pk: int) -> str:
    """Return reverse(name, kwargs={kwarg: pk}) for a URL taking one integer id."""
    urlconf = get_urlconf()
    before, after = _parts(name, kwarg, get_script_prefix(), urlconf, get_resolver(urlconf))
    return f"{before}{int(pk)}{after}"
