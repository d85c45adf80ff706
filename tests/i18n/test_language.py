"""Which language a page is in: the profile's, else the sign-in page's choice (a cookie), else the
browser's Accept-Language, else English; and what that language changes in the page (lang, dir,
Bootstrap's RTL build, the room's RTL stylesheet, the ES modules' catalog)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import DEFAULT_PASSWORD
from classmeet.core.middleware import UserPreferencesMiddleware

pytestmark = pytest.mark.django_db

SIGNIN = "/auth/signin/"


def html_tag(response) -> str:
    match = re.search(r"<html[^>]*>", response.content.decode())
    assert match, "no <html> tag"
    return match.group(0)


def test_anonymous_visitor_gets_the_browser_language(client):
    response = client.get(SIGNIN, HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert 'lang="fr" dir="ltr"' in html_tag(response)
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]


def test_unsupported_or_missing_browser_language_falls_back_to_english(client):
    for header in ("de-DE,de;q=0.9", ""):
        response = client.get(SIGNIN, HTTP_ACCEPT_LANGUAGE=header)
        assert 'lang="en" dir="ltr"' in html_tag(response)
        assert response["Content-Language"] == "en"


def test_the_profile_language_wins_over_the_browser(client, student):
    student.language = "fr"
    student.save(update_fields=["language"])
    client.force_login(student)
    response = client.get(reverse("dashboard:dashboard"), HTTP_ACCEPT_LANGUAGE="es")
    assert 'lang="fr"' in html_tag(response)
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]


def test_a_user_without_a_profile_language_gets_the_browser_one(client, student):
    assert student.language == ""
    client.force_login(student)
    response = client.get(reverse("dashboard:dashboard"), HTTP_ACCEPT_LANGUAGE="es")
    assert 'lang="es"' in html_tag(response)
    assert response["Content-Language"] == "es"


def test_the_middleware_looks_at_the_user_once_without_a_query(
    rf, student, django_assert_num_queries
):
    student.language = "ar"
    seen = {}

    def view(request):
        from django.http import HttpResponse
        from django.utils import translation

        seen["language"] = translation.get_language()
        seen["request"] = request.LANGUAGE_CODE
        return HttpResponse()

    request = rf.get("/")
    request.user = student
    with django_assert_num_queries(0):
        UserPreferencesMiddleware(view)(request)
    assert seen == {"language": "ar", "request": "ar"}


def test_arabic_pages_are_right_to_left_with_bootstrap_rtl_and_the_catalog(client, student):
    client.force_login(student)
    page = client.get(reverse("dashboard:dashboard"), HTTP_ACCEPT_LANGUAGE="ar")
    html = page.content.decode()
    assert 'lang="ar" dir="rtl"' in html_tag(page)
    assert "vendor/bootstrap/css/bootstrap.rtl.min.css" in html
    assert "vendor/bootstrap/css/bootstrap.min.css" not in html
    catalog = html.index("i18n/catalog.ar.js")
    assert html.rfind("<script", 0, catalog) < catalog
    assert catalog < html.index('type="module"'), "the catalog must come before every module"


def test_english_pages_load_no_catalog_and_the_ltr_bootstrap(client, student):
    client.force_login(student)
    html = client.get(reverse("dashboard:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "i18n/catalog" not in html
    assert "bootstrap.rtl" not in html
    assert "vendor/bootstrap/css/bootstrap.min.css" in html


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("es", "ltr")])
def test_the_room_picks_its_stylesheet_by_direction(
    client, live_meeting, enrollment, student, language, direction
):
    student.language = language
    student.save(update_fields=["language"])
    client.force_login(student)
    page = client.get(reverse("rooms:room", args=[live_meeting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'lang="{language}" dir="{direction}"' in html_tag(page)
    rtl = "bundle/rooms/css/room.rtl.css" in html
    assert rtl is (direction == "rtl")
    assert ("bundle/rooms/css/room.css" in html) is (direction == "ltr")
    catalog = html.index(f"i18n/catalog.{language}.js")
    assert catalog < html.index('<script type="module"')


def test_error_pages_are_right_to_left_in_arabic(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 404
    assert 'lang="ar" dir="rtl"' in html_tag(response)


def test_the_sign_in_page_has_a_labelled_language_picker(client):
    html = client.get(f"{SIGNIN}?next=/meetings/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    form = re.search(r'<form[^>]*action="/i18n/setlang/".*?</form>', html, re.S)
    assert form, "no language form on the sign-in page"
    picker = form.group(0)
    assert 'name="csrfmiddlewaretoken"' in picker
    assert '<label class="small text-body-secondary" for="language-picker">' in picker
    assert 'id="language-picker" name="language"' in picker
    assert '<button type="submit"' in picker
    assert 'value="/auth/signin/?next=/meetings/"' in picker
    for code, name in settings.LANGUAGES:
        assert f'lang="{code}"' in picker
        assert name in picker
    assert re.search(r'<option value="es" lang="es" selected>', picker)


def test_the_sign_in_choice_survives_signing_in(client, student):
    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": f"{SIGNIN}?next=/meetings/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{SIGNIN}?next=/meetings/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    page = client.get(SIGNIN, HTTP_ACCEPT_LANGUAGE="es")
    assert 'lang="ar" dir="rtl"' in html_tag(page)
    signed_in = client.post(
        f"{SIGNIN}?next=/meetings/",
        {"username": student.username, "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert signed_in.status_code == 302
    page = client.get(signed_in["Location"], HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in html_tag(page)
    # A profile language still wins over the cookie.
    User.objects.filter(pk=student.pk).update(language="fr")
    assert 'lang="fr"' in html_tag(client.get("/meetings/"))


def test_set_language_refuses_other_sites_and_needs_the_csrf_token(student):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/meetings/"})
    assert response.status_code == 403
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/meetings/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_profile_picker_saves_the_language(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    select = re.search(r'<select name="language".*?</select>', html, re.S)
    assert select, "no language field on the profile"
    assert '<option value="" selected>Browser&#x27;s language</option>' in select.group(0)
    assert '<option value="fr" lang="fr">Français</option>' in select.group(0)
    assert '<label class="form-label" for="id_language">Language</label>' in html
    data = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "language": "ar",
        "timezone": "",
        "email_notifications": student.email_notifications,
    }
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    student.refresh_from_db()
    assert student.language == "ar"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="ar" dir="rtl"' in html_tag(page)
    response = client.post(reverse("accounts:profile"), {**data, "language": "xx"})
    assert response.status_code == 400
    response = client.post(reverse("accounts:profile"), {**data, "language": ""})
    student.refresh_from_db()
    assert student.language == ""
