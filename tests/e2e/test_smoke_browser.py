"""The browser can sign in through the real form and sees its own name."""

import pytest

from classmeet.accounts.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_through_form_shows_dashboard(new_page):
    teacher = TeacherFactory.create(username="e2e_teacher", first_name="Erin", last_name="Edge")
    page = new_page(teacher)
    assert "/classmeet/dashboard/" in page.url
    assert page.get_by_text("Erin Edge").first.is_visible()


def test_pages_load_no_asset_from_other_hosts(new_page, live_server_url):
    """Every stylesheet and script the sign-in page asks for is served by the app itself."""
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server_url}/auth/signin/")
    page.wait_for_load_state("networkidle")
    assert requested
    assert all(url.startswith(live_server_url) for url in requested), requested
    css = [url for url in requested if url.endswith(".css")]
    assert any("bootstrap" in url for url in css)
