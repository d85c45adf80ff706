from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

from classmeet.core.links import id_url, name_url


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


def test_link_tags_render_what_url_renders() -> None:
    tags = Template(
        "{% load links %}{% link 'dashboard:dashboard' %}|{% link 'accounts:logout' %}"
        "|{% id_link 'courses:course-edit' 'course_id' 42 %}"
    )
    urls = Template(
        "{% url 'dashboard:dashboard' %}|{% url 'accounts:logout' %}"
        "|{% url 'courses:course-edit' course_id=42 %}"
    )
    for prefix in ("/school/", "/"):
        set_script_prefix(prefix)
        try:
            shown = tags.render(Context())
            assert shown == urls.render(Context())
        finally:
            clear_script_prefix()
    assert shown.startswith(reverse("dashboard:dashboard") + "|")
    plain = reverse("meetings:meeting-list")
    set_script_prefix("/school/")
    try:
        assert name_url("meetings:meeting-list") == "/school" + plain
    finally:
        clear_script_prefix()


def test_id_url_with_fixed_ids_is_reverse() -> None:
    for course_id, student_id in ((3, 7), (4, 7), (3, 2147483646)):
        assert id_url(
            "courses:enrollment-remove", "student_id", student_id, course_id=course_id
        ) == reverse(
            "courses:enrollment-remove", kwargs={"course_id": course_id, "student_id": student_id}
        )
    tag = "{% load links %}{% id_link 'courses:material-delete' 'material_id' 9 course_id=2 %}"
    url = "{% url 'courses:material-delete' course_id=2 material_id=9 %}"
    assert Template(tag).render(Context()) == Template(url).render(Context())
