"""Where a `next` parameter may send the browser: a path on this site, nothing else."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_path(request: HttpRequest, url: str | None, *, default: str) -> str:
    """Return url when it is a local path ("/..."), otherwise default.

    A URL pattern name ("foo"), another host ("//evil.example", "http://evil.example/") or a
    script ("javascript:...") all give default: `redirect()` would try to reverse a bare word.
    """
    if (
        url
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default
