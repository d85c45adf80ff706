"""Arabic in real Chromium: the pages and the live room are laid out right to left (Bootstrap's RTL
build, the room's RTL stylesheet, the app's logical properties), the ES modules' catalog is
loaded before them, and English pages keep their left-to-right layout.

CLASSMEET_SCREENSHOTS=<folder> saves the pages' screenshots there (to look at the mirroring).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from tests.security.browser import Watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCREENSHOTS = os.environ.get("CLASSMEET_SCREENSHOTS", "")


def box(page: Any, selector: str) -> dict[str, float]:
    element = page.locator(selector).first
    element.wait_for(state="visible")
    found: dict[str, float] | None = element.bounding_box()
    assert found is not None, selector
    return found


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS, f"{name}.png")))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_pages_and_the_room_mirror_in_arabic(new_page, language):
    teacher = TeacherFactory.create(username=f"rtl_teacher_{language}")
    student = StudentFactory.create(username=f"rtl_student_{language}", language=language)
    course = CourseFactory.create(teacher=teacher, title="Kvant 7")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Zeta 2")
    rtl = language == "ar"
    width = 1280
    page = new_page(student, sign_in="cookie", viewport={"width": width, "height": 800})
    watch = Watch(page)

    page.goto(reverse("dashboard:dashboard"))
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate("getComputedStyle(document.body).direction") == ("rtl" if rtl else "ltr")
    sheets = page.evaluate("[...document.styleSheets].map((sheet) => sheet.href || '')")
    assert any("bootstrap.rtl" in href for href in sheets) is rtl
    # The catalog ran before the modules: they find globalThis.django (English pages need none).
    assert page.evaluate("typeof globalThis.django?.gettext") == (
        "function" if rtl else "undefined"
    )
    brand = box(page, ".navbar-brand")
    assert (brand["x"] > width / 2) is rtl, brand
    screenshot(page, f"dashboard-{language}")
    watch.assert_clean("dashboard")

    page.goto(reverse("rooms:room", args=[meeting.pk]))
    page.wait_for_selector("#room[data-joined='true']")
    sheets = page.evaluate("[...document.styleSheets].map((sheet) => sheet.href || '')")
    assert any("room.rtl.css" in href for href in sheets) is rtl
    stage, side = box(page, "#room-stage"), box(page, "#room-side")
    assert (side["x"] < stage["x"]) is rtl, (stage, side)
    tile, name = box(page, "#tile-local"), box(page, "#local-name")
    # The name sits at the tile's start corner: bottom right in Arabic, bottom left in English.
    assert (name["x"] - tile["x"] > tile["width"] / 2 - name["width"]) is rtl, (tile, name)
    screenshot(page, f"room-{language}")
    watch.assert_clean("room")
