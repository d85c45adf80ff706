from django.urls import clear_script_prefix, reverse, set_script_prefix

from classmeet.core.links import id_url


def test_id_url_is_reverse() -> None:
    for pk in (1, 7, 2147483647, 10**12):
        assert id_url("discussions:discussion-detail", "discussion_id", pk) == reverse(
            "discussions:discussion-detail", kwargs={"discussion_id": pk}
        )
        assert id_url("discussions:discussion-create", "course_id", pk) == reverse(
            "discussions:discussion-create", kwargs={"course_id": pk}
        )


def test_id_url_follows_the_script_prefix() -> None:
    set_script_prefix("/school/")
    try:
        assert (
            id_url("discussions:discussion-detail", "discussion_id", 5) == "/school/discussions/5/"
        )
    finally:
        clear_script_prefix()
    assert id_url("discussions:discussion-detail", "discussion_id", 5) == "/discussions/5/"
