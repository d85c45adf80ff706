"""The discussions page's two menus of the viewer's courses: "start a discussion in" and the
course filter. A student in 50 courses has 100 entries: built here in one pass each, as the
template loops wrote them, instead of a template iteration per entry."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from classmeet.core.links import id_url
from classmeet.courses.models import Course

register = template.Library()


@register.simple_tag
def course_create_items(courses: Iterable[Course]) -> SafeString:
    """A dropdown item per course, linking to its new-discussion form."""
    return mark_safe(  # noqa: S308  # every value escaped
        "".join(
            f'<li><a class="dropdown-item" href="'
            f'{escape(id_url("discussions:discussion-create", "course_id", course.pk))}">'
            f"{escape(course.title)}</a></li>"
            for course in courses
        )
    )


@register.simple_tag
def course_filter_options(courses: Iterable[Course], current: Course | None) -> SafeString:
    """An <option> per course for the filter, the current course selected."""
    chosen = current.pk if current is not None else None
    return mark_safe(  # noqa: S308  # every value escaped
        "".join(
            f'<option value="{int(course.pk)}"{" selected" if course.pk == chosen else ""}>'
            f"{escape(course.title)}</option>"
            for course in courses
        )
    )
