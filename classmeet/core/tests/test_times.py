from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from classmeet.core.times import format_when, format_when_range, zone_label, zone_named

T = datetime(2030, 1, 15, 20, 56, 7, tzinfo=UTC)
SUMMER = datetime(2030, 7, 15, 20, 56, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def render(source: str, **context: Any) -> str:
    return Template("{% load when %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("datetime", "Jan 15, 2030 21:56 CET"),
        ("long", "Tuesday, Jan 15, 2030 21:56 CET"),
        ("date", "Jan 15, 2030"),
        ("time", "21:56 CET"),
        ("seconds", "21:56:07 CET"),
    ],
)
def test_format_when_styles(style, text):
    assert format_when(T, style, zone=PARIS) == text


def test_format_when_follows_daylight_saving():
    assert format_when(SUMMER, "time", zone=PARIS) == "22:56 CEST"


def test_zone_label_spells_zones_without_letters_as_an_offset():
    assert zone_label(T, ZoneInfo("Asia/Dubai")) == "UTC+04:00"
    assert zone_label(T, ZoneInfo("America/Sao_Paulo")) == "UTC-03:00"
    assert zone_label(T, ZoneInfo("Asia/Kolkata")) == "IST"
    assert zone_label(T, ZoneInfo("UTC")) == "UTC"


def test_format_when_uses_the_active_zone_by_default():
    with timezone.override(ZoneInfo("America/New_York")):
        assert format_when(T, "time") == "15:56 EST"


def test_range_has_one_label():
    assert format_when_range(T, SUMMER, zone=PARIS) == "21:56\u201322:56 CEST"


def test_zone_named_refuses_unknown_and_absurd_names():
    assert zone_named("Europe/Paris") == PARIS
    assert zone_named("") is None
    assert zone_named("Mars/Olympus") is None
    assert zone_named("../../etc/passwd") is None
    assert zone_named("x" * 100) is None


def test_when_filter_renders_a_time_element_in_the_active_zone():
    with timezone.override(PARIS):
        html = render('{{ t|when:"time" }}', t=T)
    assert (
        html == '<time datetime="2030-01-15T20:56:07+00:00" title="Europe/Paris">21:56 CET</time>'
    )


def test_when_filter_leaves_empty_values_empty():
    assert render('{{ t|when|default:"—" }}', t=None) == "—"


def test_when_filter_refuses_an_unknown_style():
    with pytest.raises(TemplateSyntaxError):
        render('{{ t|when:"weekday" }}', t=T)


def test_when_range_filter():
    end = datetime(2030, 1, 15, 21, 56, tzinfo=UTC)
    with timezone.override(PARIS):
        html = render("{{ a|when_range:b }}", a=T, b=end)
    assert ">21:56\u201322:56 CET</time>" in html


def test_when_text_filter_is_plain():
    with timezone.override(PARIS):
        assert render("{{ t|when_text }}", t=T) == "Jan 15, 2030 21:56 CET"


# format_when compiles each language's formats once: it must give Django's dateformat text exactly, for
# every style, across years, months, DST changes (both directions, both hemispheres), odd offsets
# and another language's month and day names.
ZONES = (
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "America/Sao_Paulo",
)


def _instants() -> list[datetime]:
    from datetime import timedelta

    start = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    # A prime step in seconds walks through every month, weekday, hour, minute and second.
    instants = [start + timedelta(seconds=7_919_993 * i) for i in range(70)]
    for transition in (  # just before, on and after DST changes
        datetime(2030, 3, 31, 1, 0, tzinfo=UTC),
        datetime(2030, 10, 27, 1, 0, tzinfo=UTC),
        datetime(2030, 3, 10, 7, 0, tzinfo=UTC),
        datetime(2030, 11, 3, 6, 0, tzinfo=UTC),
        datetime(2030, 4, 6, 16, 0, tzinfo=UTC),
    ):
        instants += [transition + timedelta(seconds=s) for s in (-1, 0, 1, 1799, 3600)]
    return [*instants, datetime(2030, 1, 5, 9, 5, 3, 999_999, tzinfo=UTC)]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "ar"])
def test_format_when_is_djangos_dateformat_text(language):
    from django.utils import translation
    from django.utils.dateformat import format as date_format

    from classmeet.core.times import formats_for

    with translation.override(language):
        formats = formats_for(language)
        for name in ZONES:
            zone = ZoneInfo(name)
            for instant in _instants():
                local = timezone.localtime(instant, zone)
                for style, django_format in formats.items():
                    expected = date_format(local, django_format)
                    if style != "date":
                        expected = f"{expected} {zone_label(instant, zone)}"
                    assert format_when(instant, style, zone=zone) == expected  # type: ignore[arg-type]


def test_when_html_is_the_when_filters_markup():
    from classmeet.core.templatetags.when import when_html

    for name in ZONES:
        zone = ZoneInfo(name)
        with timezone.override(zone):
            for instant in _instants()[:20]:
                for style in ("datetime", "time", "date"):
                    expected = render(f'{{{{ t|when:"{style}" }}}}', t=instant)
                    assert when_html(instant, style, zone=zone) == expected
                    assert when_html(instant, style) == expected


@pytest.mark.parametrize(
    ("language", "style", "text"),
    [
        ("fr", "datetime", "15 janvier 2030 21:56 CET"),
        ("fr", "long", "mardi 15 janvier 2030 21:56 CET"),
        ("es", "date", "15 de enero de 2030"),
        ("es", "time", "21:56 CET"),
        ("ar", "date", "15 يناير، 2030"),
        ("en", "datetime", "Jan 15, 2030 21:56 CET"),
    ],
)
def test_format_when_uses_the_active_languages_format(language, style, text):
    from django.utils import translation

    with translation.override(language):
        assert format_when(T, style, zone=PARIS) == text


def test_when_filter_follows_the_active_language():
    from django.utils import translation

    with timezone.override(PARIS), translation.override("fr"):
        assert render("{{ t|when_text }}", t=T) == "15 janvier 2030 21:56 CET"


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_compile_format_knows_every_letter_of_djangos_dateformat(language):
    from django.utils import translation
    from django.utils.dateformat import format as date_format

    from classmeet.core.times import compile_format

    every_letter = r"a A b c d D e E f F g G h H i I j l L m M n N o O P r s S t T U u w W y Y z Z"
    with translation.override(language):
        formatter = compile_format(every_letter + r" \d\e \\ ")
        for name in ZONES[:4]:
            for instant in _instants()[:30]:
                local = timezone.localtime(instant, ZoneInfo(name))
                assert formatter(local) == date_format(local, every_letter + r" \d\e \\ ")
