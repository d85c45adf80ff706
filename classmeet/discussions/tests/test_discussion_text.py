"""The discussion_text filters render what the blocktranslate they replace rendered."""

from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory
from classmeet.discussions.tests.factories import DiscussionFactory


def _render(source: str, **context: object) -> str:
    return Template("{% load i18n discussion_text %}" + source).render(Context(context))


@pytest.mark.parametrize("n", [0, 1, 2, 1234567])
def test_counts_match_blocktranslate(n: int) -> None:
    upvotes = "{% blocktranslate count counter=n %}{{ counter }} Upvote{% plural %}{{ counter }} Upvotes{% endblocktranslate %}"
    comments = "{% blocktranslate count counter=n %}{{ counter }} Comment{% plural %}{{ counter }} Comments{% endblocktranslate %}"
    with translation.override("en"):
        assert _render("{{ n|upvotes }}", n=n) == _render(upvotes, n=n)
        assert _render("{{ n|comments }}", n=n) == _render(comments, n=n)
    assert _render("{{ n|upvotes }}", n=n) in {f"{n} Upvote", f"{n} Upvotes"}


@pytest.mark.parametrize("age", [timedelta(0), timedelta(minutes=5), timedelta(days=40), None])
def test_ago_matches_blocktranslate(age: timedelta | None) -> None:
    when = None if age is None else timezone.now() - age
    original = "{% blocktranslate with when=t|timesince %}{{ when }} ago{% endblocktranslate %}"
    assert _render("{{ t|ago }}", t=when) == _render(original, t=when)
    assert _render("{{ t|ago }}", t=when).endswith(" ago")


# The include the `discussion_items` tag replaced (discussions/_discussion_item.html), verbatim.
_ITEM_TEMPLATE = """{% load i18n discussion_text %}<a href="{{ d.get_absolute_url }}" class="list-group-item list-group-item-action py-3 discussion-item" data-discussion-id="{{ d.pk }}">
  <div class="d-flex w-100 justify-content-between gap-2">
    <h2 class="h5 mb-1 text-break">
      {% if d.is_pinned %}<i class="bi bi-pin-angle-fill text-primary" title="{% translate 'Pinned' %}"></i><span class="visually-hidden">{% translate "Pinned" %}</span>{% endif %}
      {% if d.is_locked %}<i class="bi bi-lock-fill text-secondary" title="{% translate 'Locked' %}"></i><span class="visually-hidden">{% translate "Locked" %}</span>{% endif %}
      {{ d.title }}
      {% if d.is_deleted %}<span class="badge text-bg-secondary">{% translate "Deleted" %}</span>{% endif %}
      {% if d.has_answer %}<span class="badge text-bg-success">{% translate "Answered" %}</span>{% endif %}
    </h2>
    <small class="text-body-secondary text-nowrap">{{ d.last_activity_at|ago }}</small>
  </div>
  <div class="mb-1">{% translate "Started by:" %} {{ d.author.display_name|default:_("a former member") }}{% if show_course %} · <span class="text-body-secondary">{{ d.course.title }}</span>{% endif %}</div>
  <small class="text-body-secondary">
    {{ d.vote_count|upvotes }} |
    {{ d.comment_count|comments }}
  </small>
</a>
"""

HOSTILE = '<b>"Q&A" it\'s</b>'


@pytest.mark.django_db
@pytest.mark.parametrize("flags", [False, True])
@pytest.mark.parametrize("show_course", [False, True])
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_discussion_row_matches_the_include_it_replaced(flags, show_course, language):
    author = StudentFactory.create(first_name=HOSTILE, last_name="&amp;")
    course = CourseFactory.create(title=HOSTILE)
    d: Any = DiscussionFactory.create(course=course, author=author, title=HOSTILE)
    d.is_pinned = d.is_locked = flags
    d.deleted_at = timezone.now() if flags else None
    d.has_answer = flags
    d.vote_count, d.comment_count = (3, 1) if flags else (0, 0)
    with translation.override(language):
        expected = Template(_ITEM_TEMPLATE).render(Context({"d": d, "show_course": show_course}))
        shown = _render("{% discussion_items ds show_course=s %}", ds=[d], s=show_course)
        assert shown == expected
        d.author = None  # a former member
        expected = Template(_ITEM_TEMPLATE).render(Context({"d": d, "show_course": show_course}))
        assert _render("{% discussion_items ds show_course=s %}", ds=[d], s=show_course) == expected
    assert HOSTILE not in shown
    assert "&lt;b&gt;&quot;Q&amp;A&quot; it&#x27;s&lt;/b&gt;" in shown
    assert "&amp;amp;" in shown


@pytest.mark.django_db
@pytest.mark.parametrize("show_course", [False, True])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_discussion_items_are_the_includes_one_after_the_other(show_course, language):
    course = CourseFactory.create(title=HOSTILE)
    items: list[Any] = []
    for i, flags in enumerate([True, False, True]):
        d: Any = DiscussionFactory.create(course=course, title=f"{HOSTILE} {i}")
        d.is_pinned = d.is_locked = d.has_answer = flags
        d.deleted_at = timezone.now() if flags else None
        d.vote_count, d.comment_count = (i, 1) if flags else (1, i)
        items.append(d)
    items[1].author = None  # a former member
    with translation.override(language):
        expected = "".join(
            Template(_ITEM_TEMPLATE).render(Context({"d": d, "show_course": show_course}))
            for d in items
        )
        assert (
            _render("{% discussion_items ds show_course=s %}", ds=items, s=show_course) == expected
        )
        assert _render("{% discussion_items ds %}", ds=[]) == ""
