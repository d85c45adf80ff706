"""id_url_for gives reverse()'s URL for every id, under any script prefix and URLconf."""

from collections.abc import Callable

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from classmeet.core.links import id_url_for as id_url

IDS = (0, 1, 9, 10, 42, 918, 1_000_000, 10**17, 10**18 - 1, 2**63 - 1)


def reversed_or_refused(name: str, kwargs: dict[str, int]) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return "refused"


def called_or_refused(url: Callable[[int], str], pk: int) -> str:
    try:
        return url(pk)
    except NoReverseMatch:
        return "refused"


NAMES = (
    ("courses:course-detail", "course_id"),
    ("courses:course-thumbnail", "course_id"),
    ("meetings:meeting-start-now", "course_id"),
    ("rooms:room", "meeting_id"),
    ("api:course-detail", "course_id"),  # the 1-to-18 digit `dbid` converter
)


@pytest.mark.parametrize("prefix", ["/", "/school/", "/a b/ü/"])
@pytest.mark.parametrize(("name", "kwarg"), NAMES)
def test_id_url_equals_reverse(name, kwarg, prefix):
    set_script_prefix(prefix)
    try:
        url = id_url(name, kwarg)
        for pk in IDS:
            assert called_or_refused(url, pk) == reversed_or_refused(name, {kwarg: pk})
        assert url(7).startswith(prefix.replace(" ", "%20").replace("ü", "%C3%BC"))
    finally:
        clear_script_prefix()


def test_id_url_keeps_other_arguments():
    url = id_url("courses:material-download", "material_id", course_id=5)
    for pk in IDS:
        assert url(pk) == reverse(
            "courses:material-download", kwargs={"course_id": 5, "material_id": pk}
        )


def test_id_url_follows_the_urlconf(settings):
    settings.ROOT_URLCONF = "classmeet.core.tests.urls_elsewhere"
    url = id_url("courses:course-detail", "course_id")
    assert url(3) == reverse("courses:course-detail", kwargs={"course_id": 3}) == "/elsewhere/3/"


def test_id_url_refuses_what_reverse_refuses():
    url = id_url("courses:course-detail", "course_id")
    with pytest.raises(NoReverseMatch):
        url(-1)
    with pytest.raises(NoReverseMatch):
        id_url("courses:no-such-page", "course_id")(1)
