"""In real Chromium: the Swagger UI renders every operation from local assets under the CSP, and
the token page shows a new token once."""

import pytest

from classmeet.accounts.tests.factories import TeacherFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_swagger_ui_renders_from_local_assets_without_csp_violations(
    new_page,
    live_server_url,
):
    teacher = TeacherFactory.create(username="docs_teacher")
    page = new_page(teacher, sign_in="cookie")
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server_url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 30
    assert page.get_by_text("List my meetings").first.is_visible()
    assert all(url.startswith(live_server_url) for url in requested), requested
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_token_page_shows_a_new_token_once(new_page, live_server_url):
    teacher = TeacherFactory.create(username="token_teacher")
    page = new_page(teacher, sign_in="cookie")
    page.goto(f"{live_server_url}/auth/profile/")
    page.get_by_role("link", name="Personal API tokens").click()
    page.get_by_placeholder("Name, e.g. timetable sync").fill("calendar script")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").input_value()
    assert token.startswith("cm_")
    assert page.get_by_role("cell", name="calendar script").is_visible()
    page.reload()
    assert page.locator("#new-token").count() == 0
    assert token not in page.content()
    page.get_by_role("button", name="Revoke").click()
    assert page.get_by_text("Revoked").first.is_visible()
