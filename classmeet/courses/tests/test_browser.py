"""The material upload script in real Chromium: progress, JSON answers, errors, size pre-check."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page

from classmeet.courses.models import Course, Material
from classmeet.courses.tests import files

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_upload_form(new_page: Callable[..., Page], course: Course) -> tuple[Page, Locator]:
    page = new_page(course.teacher, sign_in="cookie")
    page.goto(course.get_absolute_url())
    page.get_by_role("link", name="Add Material").click()
    form = page.locator("#material-upload form[data-upload]")
    form.wait_for(state="visible")
    return page, form


def test_upload_goes_through_script_and_lists_the_material(new_page, course, tmp_path):
    page, form = open_upload_form(new_page, course)
    source = tmp_path / "week1.txt"
    source.write_bytes(("Ondes et optique ✓\n" * 60_000).encode())
    form.locator("input[name=title]").fill("Week 1 notes")
    form.locator("input[type=file]").set_input_files(str(source))
    with page.expect_response(lambda r: "/materials/new/" in r.url) as answer:
        form.locator("[data-upload-submit]").click()
    response = answer.value
    assert response.request.headers.get("x-requested-with") == "XMLHttpRequest"
    assert response.status == 200  # the JSON answer, not a redirect: the script made the POST
    page.wait_for_load_state("load")
    page.locator("#materials").get_by_text("Week 1 notes").wait_for()
    material = Material.objects.get()
    assert material.original_name == "week1.txt"
    assert material.size == source.stat().st_size


def test_refused_file_shows_the_server_message_in_place(new_page, course, tmp_path):
    _page, form = open_upload_form(new_page, course)
    source = tmp_path / "notes.pdf"
    source.write_bytes(files.ELF)
    form.locator("input[name=title]").fill("Sneaky")
    form.locator("input[type=file]").set_input_files(str(source))
    form.locator("[data-upload-submit]").click()
    error = form.locator("[data-upload-error]")
    error.wait_for(state="visible")
    assert "This type of file is not allowed" in error.inner_text()
    assert form.locator("[data-upload-submit]").is_enabled()
    assert not Material.objects.exists()


def test_too_large_file_is_stopped_before_uploading(new_page, course, tmp_path, settings):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 1000
    page, form = open_upload_form(new_page, course)
    source = tmp_path / "big.txt"
    source.write_bytes(b"x" * 5000)
    form.locator("input[name=title]").fill("Big")
    form.locator("input[type=file]").set_input_files(str(source))
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/materials/new/" in r.url else None)
    form.locator("[data-upload-submit]").click()
    error = form.locator("[data-upload-error]")
    error.wait_for(state="visible")
    assert "too large" in error.inner_text()
    assert requests == []
