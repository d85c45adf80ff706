"""What the room loads after the call has started (rooms/js/later.js), in real headless Chromium:
Bootstrap's script is not in the page's HTML; a click on one of its toggles before the script is
in is not lost, it is replayed once the script has loaded."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_room_call import room_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BOOTSTRAP = "**/vendor/bootstrap/js/bootstrap.bundle.min.js"


def test_a_click_before_bootstrap_is_in_opens_the_menu_once_it_is(new_page, teacher, live_meeting):
    page = new_page(teacher)
    held: list[Any] = []
    page.route(BOOTSTRAP, lambda route: held.append(route))  # waits until the test lets it go
    response = page.goto(room_url(live_meeting), wait_until="domcontentloaded")
    assert not re.search(r"<script[^>]*bootstrap\.bundle", response.text())
    page.wait_for_selector("#room[data-joined='true']", timeout=30_000)
    for _ in range(100):  # alone in the room: asked for right after `welcome`
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    assert page.evaluate("window.bootstrap === undefined")

    page.click("#btn-info")
    page.wait_for_timeout(300)
    assert not page.is_visible("#meeting-info"), "no menu without Bootstrap's script"

    held[0].continue_()
    page.wait_for_selector("#meeting-info.show", state="visible")
    assert page.get_attribute("#btn-info", "aria-expanded") == "true"
    # The script is in: clicks go straight to it (the second closes the menu).
    page.click("#btn-info")
    page.wait_for_selector("#meeting-info.show", state="detached")
    assert len(held) == 1, "the script is asked for once"
