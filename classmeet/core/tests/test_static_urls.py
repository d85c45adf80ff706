"""`{% load static %}` is Django's library with `{% static %}` answering from a per-process table."""

from django.template import Context, Template
from django.templatetags.static import StaticNode
from django.test import override_settings
from django.utils.html import escape

from classmeet.core.templatetags import static_urls

PATHS = ["core/favicon.svg", "vendor/bootstrap/css/bootstrap.min.css", "a b/é?.css"]


def _render(source: str, **context: object) -> str:
    return Template("{% load static %}" + source).render(Context(context))


def test_static_renders_what_djangos_tag_renders():
    for path in PATHS:
        url = StaticNode.handle_simple(path)  # Django's own, outside the table
        assert static_urls.static(path) == url
        shown = _render("{% static p %}|{% static p as u %}{{ u }}|{% static p %}", p=path)
        assert shown == f"{escape(url)}|{escape(url)}|{escape(url)}"
    assert _render("{% get_static_prefix %}") == "/static/"


def test_a_settings_change_empties_the_table():
    assert _render('{% static "core/app.css" %}') == "/static/core/app.css"
    with override_settings(STATIC_URL="/elsewhere/"):
        assert _render('{% static "core/app.css" %}') == "/elsewhere/core/app.css"
    assert _render('{% static "core/app.css" %}') == "/static/core/app.css"
