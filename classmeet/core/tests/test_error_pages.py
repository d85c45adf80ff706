"""`make run` shows the product's own error pages and has a favicon; `make dev` turns DEBUG on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from classmeet.meetings.tests.factories import MeetingFactory

ROOT = Path(__file__).resolve().parents[3]


def _debug_of_local_settings(**extra: str) -> str:
    """Return settings.DEBUG as config.settings.local sets it, in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", **extra)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_settings_have_debug_off_unless_asked():
    assert _debug_of_local_settings() == "False"
    assert _debug_of_local_settings(DEBUG="true") == "True"


def test_make_dev_asks_for_debug_and_make_run_does_not():
    result = subprocess.run(
        ["make", "-s", "-n", "-p", "dev"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    database = result.stdout
    assert "dev: export DEBUG = true" in database or "dev: DEBUG = true" in database
    assert "DEBUG" not in Path(ROOT / "scripts" / "run.sh").read_text()


@pytest.mark.django_db
def test_a_missing_page_is_the_products_404_not_the_debug_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    html = response.content.decode()
    assert "Back to the dashboard" in html
    assert "URLconf" not in html


@pytest.mark.django_db
def test_a_forbidden_page_is_the_products_403(client, settings, student, enrollment):
    settings.DEBUG = False
    meeting = MeetingFactory.create(course=enrollment.course)
    client.force_login(student)
    response = client.get(reverse("meetings:meeting-edit", args=[meeting.pk]))
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_products_403():
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:signin"), {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert response.templates[0].name == "403_csrf.html"
    html = response.content.decode()
    assert "CSRF verification failed" in html
    assert '<html lang="en" dir="ltr"' in html


@pytest.mark.django_db
def test_every_page_links_the_favicon(client):
    html = client.get(reverse("accounts:signin")).content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in html


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/core/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)
