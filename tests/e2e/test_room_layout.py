"""The room's layout in real headless Chromium, measured in the page: it fills the viewport on a
1366x768 laptop and a 390x844 phone (no horizontal scroll, the stage covers most of the screen,
the chat input and the Participants tab can be reached), a shared screen is presented large with
a full-screen button, and any tile can be pinned by the viewer alone.

Each test saves screenshots in its pytest tmp_path (printed with -s) for a look by eye.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_room_call import room_url, wait_for_media
from tests.e2e.test_room_media import FAKE_SCREEN_JS
from tests.security.browser import Watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Measurements taken in the page. "shown" = rendered, inside the viewport and not covered (the
# element itself is what a tap at its centre would hit).
MEASURE_JS = """
() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const rect = (el) => el.getBoundingClientRect();
  const visibleArea = (r) => Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0)) *
    Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
  const shown = (id) => {
    const el = document.getElementById(id);
    if (!el || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = rect(el);
    if (r.width < 1 || r.height < 1 || r.left < 0 || r.top < 0 || r.right > vw + 0.5 ||
        r.bottom > vh + 0.5) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit === el || el.contains(hit);
  };
  return {
    innerWidth: vw,
    innerHeight: vh,
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    stageShare: visibleArea(rect(document.querySelector(".room-stage"))) / (vw * vh),
    chatInput: shown("chat-input"),
    participantsTab: shown("tab-participants"),
    participantsList: shown("participants"),
    controls: ["btn-mic", "btn-camera", "btn-leave"].every(shown),
    devicePicker: ["camera-select", "mic-select"].every(shown),
    layout: document.getElementById("video-grid").dataset.layout ?? "grid",
    tiles: [...document.querySelectorAll("#video-grid .tile")].map((t) => {
      const r = rect(t);
      return { peer: t.dataset.peer, area: visibleArea(r), featured: t.classList.contains("featured") };
    }),
  };
}
"""


def join(new_page: Any, user: Any, meeting: Any, options: dict[str, Any], script: str = "") -> Any:
    page = new_page(user, sign_in="cookie", **options)
    # Everything the layout does (dropdown, tabs, sheet, pinning, full screen) stays within the CSP.
    page.csp_watch = Watch(page)
    if script:
        page.add_init_script(script)
    page.goto(room_url(meeting), wait_until="domcontentloaded")
    page.wait_for_selector("#room[data-joined='true']", timeout=30_000)
    return page


def in_a_call(
    new_page: Any,
    teacher: Any,
    student: Any,
    meeting: Any,
    options: dict[str, Any],
    *,
    teacher_script: str = "",
    student_script: str = "",
) -> tuple[Any, Any]:
    t = join(new_page, teacher, meeting, options, teacher_script)
    s = join(new_page, student, meeting, options, student_script)
    for page in (t, s):
        wait_for_media(page, peers=1)
    return t, s


def assert_no_csp_violation(*pages: Any) -> None:
    for page in pages:
        page.csp_watch.assert_clean("room")


def wait_sheet(page: Any, *, open_: bool) -> None:
    """Wait until the side panel's bottom sheet has finished sliding in (or out)."""
    page.wait_for_function(
        """open => { const c = document.getElementById('room-side').classList;
          return c.contains('show') === open && !c.contains('showing') && !c.contains('hiding'); }""",
        arg=open_,
    )


def measure(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(MEASURE_JS))


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    page.wait_for_timeout(300)  # let the last frame paint
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")  # noqa: T201 (shown with -s, for a look by eye)
    return path


def assert_fills_the_screen(m: dict[str, Any]) -> None:
    assert m["scrollWidth"] <= m["innerWidth"], m
    assert m["stageShare"] >= 0.6, m
    assert m["controls"], m
    assert len(m["tiles"]) == 2, m


def test_laptop_room_fills_the_screen_with_the_panel_in_sight(
    new_page, teacher, student, enrollment, live_meeting, tmp_path
):
    t, s = in_a_call(new_page, teacher, student, live_meeting, LAPTOP)
    for name, page in (("teacher", t), ("student", s)):
        shot(page, tmp_path, f"laptop-{name}")
        m = measure(page)
        assert_fills_the_screen(m)
        assert m["scrollHeight"] <= m["innerHeight"], m  # the page itself never scrolls
        assert m["chatInput"], m
        assert m["participantsTab"], m
        assert m["layout"] == "grid"
        # Two people side by side, each tile a fair share of the stage.
        assert all(tile["area"] >= 0.12 * m["innerWidth"] * m["innerHeight"] for tile in m["tiles"])
        # Microphones and cameras on: no (empty) media-icon box drawn over a tile.
        page.wait_for_function(
            "() => document.querySelectorAll('#video-grid .tile[data-mic]').length === 2"
        )
        assert page.locator("#video-grid .tile > .media-icons:visible").count() == 0

        # The Participants tab (ARIA tabs) shows both people without scrolling the page.
        tab = page.get_by_role("tab", name="Participants")
        tab.click()
        assert tab.get_attribute("aria-selected") == "true"
        assert page.get_by_role("tab", name="Chat").get_attribute("aria-selected") == "false"
        m = measure(page)
        assert m["participantsList"], m
        assert page.locator("#participants li[data-peer]").count() == 2
        assert page.locator("#participant-count").inner_text() == "2"
        page.get_by_role("tab", name="Chat").click()
        assert measure(page)["chatInput"]

        # The meeting's details sit behind the (i) button.
        details = page.locator("#meeting-info")
        assert not details.is_visible()
        page.get_by_role("button", name="Meeting details").click()
        assert details.is_visible()
        assert "Physics 101" in details.inner_text()
        assert "Tina Teach" in details.inner_text()
        page.keyboard.press("Escape")
        assert not details.is_visible()

        # The device picker is a popover above its gear button.
        assert not measure(page)["devicePicker"]
        page.click("#device-settings summary")
        assert measure(page)["devicePicker"], measure(page)
        page.keyboard.press("Escape")
        assert not measure(page)["devicePicker"]
    # The teacher's extra controls fit in the same bar.
    assert t.locator("#btn-mute-all").is_visible()
    assert t.locator("#btn-end-meeting").is_visible()
    assert t.locator("#btn-record").is_visible()
    assert_no_csp_violation(t, s)


NO_DISPLAY_MEDIA_JS = "delete MediaDevices.prototype.getDisplayMedia;"


def test_phone_room_fills_the_screen_with_sheets_for_chat_and_participants(
    new_page, teacher, student, enrollment, live_meeting, tmp_path
):
    # The student's phone browser cannot share a screen (as on most phones); the teacher's can.
    t, s = in_a_call(
        new_page, teacher, student, live_meeting, PHONE, student_script=NO_DISPLAY_MEDIA_JS
    )
    assert s.locator("#btn-screen").is_hidden()
    assert t.locator("#btn-screen").is_visible()
    for name, page in (("teacher", t), ("student", s)):
        shot(page, tmp_path, f"phone-{name}")
        m = measure(page)
        assert_fills_the_screen(m)
        # Stacked, the two tiles cover most of the screen.
        assert sum(tile["area"] for tile in m["tiles"]) >= 0.6 * m["innerWidth"] * m["innerHeight"]
        assert not m["chatInput"]  # the chat is a sheet, closed for now

    # A chat line arrives while the teacher's sheet is closed: the chat button counts it.
    s.click("#btn-show-chat")
    wait_sheet(s, open_=True)
    shot(s, tmp_path, "phone-student-chat")
    m = measure(s)
    assert m["chatInput"], m
    assert m["scrollWidth"] <= m["innerWidth"], m
    s.fill("#chat-input", "Hello from a phone")
    s.press("#chat-input", "Enter")
    unread = t.locator("#btn-show-chat .unread-count")
    unread.wait_for()
    assert unread.inner_text() == "1"
    t.click("#btn-show-chat")
    wait_sheet(t, open_=True)
    t.locator("#chat-messages li", has_text="Hello from a phone").wait_for()
    assert measure(t)["chatInput"]
    assert unread.is_hidden()
    t.locator("#room-side .btn-close").click()
    wait_sheet(t, open_=False)

    # A raised hand shows on the teacher's Participants button; that sheet opens on its tab.
    s.locator("#room-side .btn-close").click()
    wait_sheet(s, open_=False)
    s.click("#btn-hand")
    hands = t.locator("#btn-show-participants .hand-count")
    hands.wait_for()
    assert hands.inner_text().strip() == "1"
    t.click("#btn-show-participants")
    wait_sheet(t, open_=True)
    shot(t, tmp_path, "phone-teacher-participants")
    assert t.get_by_role("tab", name="Participants").get_attribute("aria-selected") == "true"
    assert measure(t)["participantsList"]
    assert t.locator("#participants li[data-peer]").count() == 2
    # On the phone too, the device picker opens inside the screen.
    t.locator("#room-side .btn-close").click()
    wait_sheet(t, open_=False)
    t.click("#device-settings summary")
    m = measure(t)
    assert m["devicePicker"], m
    assert m["scrollWidth"] <= m["innerWidth"], m
    shot(t, tmp_path, "phone-teacher-devices")
    assert_no_csp_violation(t, s)


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_a_shared_screen_is_presented_large_with_a_full_screen_button(
    new_page, teacher, student, enrollment, live_meeting, tmp_path, device
):
    options = LAPTOP if device == "laptop" else PHONE
    t, s = in_a_call(
        new_page, teacher, student, live_meeting, options, teacher_script=FAKE_SCREEN_JS
    )
    teacher_peer = t.evaluate("window.classmeetRoom.peerId")
    assert s.locator("#video-grid").get_attribute("data-layout") == "grid"

    t.click("#btn-screen")
    s.wait_for_function(
        "id => document.querySelector(`.tile[data-peer='${id}']`)?.classList.contains('featured')",
        arg=teacher_peer,
    )
    t.wait_for_function(
        "() => document.getElementById('tile-local').classList.contains('featured')"
    )
    for name, page in (("student", s), ("teacher", t)):
        shot(page, tmp_path, f"presentation-{device}-{name}")
        m = measure(page)
        assert m["layout"] == "featured"
        big = next(tile for tile in m["tiles"] if tile["featured"])
        small = next(tile for tile in m["tiles"] if not tile["featured"])
        # The screen takes most of the stage; the camera is a thumbnail in the strip.
        assert big["area"] >= 0.35 * m["innerWidth"] * m["innerHeight"], m
        assert big["area"] >= 6 * small["area"], m
        assert m["scrollWidth"] <= m["innerWidth"], m

    # Full screen: the stage (video and controls) fills the display, and comes back.
    button = s.get_by_role("button", name="Full screen")
    assert button.is_visible()
    button.click()
    s.wait_for_function("() => document.fullscreenElement?.id === 'room-stage'")
    s.wait_for_function("() => document.getElementById('btn-fullscreen').ariaPressed === 'true'")
    s.get_by_role("button", name="Exit full screen").click()
    s.wait_for_function("() => document.fullscreenElement === null")

    # The share ends: everybody is back to the grid.
    t.evaluate("window.__screenTrack.dispatchEvent(new Event('ended'))")
    for page in (s, t):
        page.wait_for_function(
            "() => document.getElementById('video-grid').dataset.layout === 'grid'"
        )
        assert page.locator("#video-grid .tile.featured").count() == 0
    assert_no_csp_violation(t, s)


def test_a_viewer_pins_any_tile_and_unpins_it(
    new_page, teacher, student, enrollment, live_meeting, tmp_path
):
    t, s = in_a_call(new_page, teacher, student, live_meeting, LAPTOP)
    student_peer = s.evaluate("window.classmeetRoom.peerId")

    t.get_by_role("button", name="Pin Sam Study").click()
    tile = t.locator(f".tile[data-peer='{student_peer}']")
    assert "featured" in (tile.get_attribute("class") or "")
    unpin = t.get_by_role("button", name="Unpin Sam Study")
    assert unpin.get_attribute("aria-pressed") == "true"
    shot(t, tmp_path, "pinned-teacher")
    m = measure(t)
    assert m["layout"] == "featured"
    big = next(tile for tile in m["tiles"] if tile["featured"])
    small = next(tile for tile in m["tiles"] if not tile["featured"])
    assert big["area"] >= 6 * small["area"], m
    # Pinning is the viewer's own: the student's page still shows the grid.
    s.wait_for_timeout(300)
    assert s.locator("#video-grid").get_attribute("data-layout") == "grid"

    # Pinning another tile moves the spotlight; unpinning restores the grid.
    t.get_by_role("button", name="Pin You").click()
    assert "featured" in (t.locator("#tile-local").get_attribute("class") or "")
    assert "featured" not in (tile.get_attribute("class") or "")
    t.get_by_role("button", name="Unpin You").click()
    m = measure(t)
    assert m["layout"] == "grid"
    assert not any(tile["featured"] for tile in m["tiles"])
    areas = [tile["area"] for tile in m["tiles"]]
    assert min(areas) >= 0.9 * max(areas), m  # equal tiles again
    assert_no_csp_violation(t, s)


# After the end: the end screen is in sight and on top, and nothing of the live room can be seen or
# used: no stage, bar, side panel, sheet backdrop, full screen or top-bar recorder; outside the end
# screen only the top bar's site links, details and bell stay.
END_JS = """
() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const shown = (el) => {
    if (!el || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.left < 0 || r.top < 0 || r.right > vw + 0.5 ||
        r.bottom > vh + 0.5) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit === el || el.contains(hit);
  };
  const end = document.getElementById("room-end");
  const bar = document.querySelector(".room-topbar");
  const interactive = "button, input, select, textarea, a[href], summary, video, [tabindex]";
  const live = [...document.querySelectorAll(interactive)].filter((el) =>
    el.checkVisibility() && !el.closest("[inert]") && !end.contains(el) && !bar.contains(el));
  const sitewide = "a.navbar-brand, #btn-info, a.room-course, .navbar-nav *, #meeting-info *";
  return {
    title: shown(document.getElementById("room-end-title")),
    back: shown(document.getElementById("room-end-back")),
    width: end.getBoundingClientRect().width,
    innerWidth: vw,
    scrollWidth: document.documentElement.scrollWidth,
    live: live.map((el) => el.id || el.className || el.tagName),
    barLive: [...bar.querySelectorAll(interactive)]
      .filter((el) => el.checkVisibility() && !el.matches(sitewide))
      .map((el) => el.id || el.className || el.tagName),
    recorder: document.getElementById("recorder").checkVisibility(),
    backdrops: document.querySelectorAll(".offcanvas-backdrop, .modal-backdrop").length,
    fullscreen: document.fullscreenElement?.id ?? null,
    bodyOverflow: document.body.style.overflow,
  };
}
"""


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_the_end_screen_takes_the_whole_room_and_nothing_live_stays(
    new_page, teacher, student, enrollment, live_meeting, tmp_path, device
):
    options = LAPTOP if device == "laptop" else PHONE
    t, s = in_a_call(new_page, teacher, student, live_meeting, options)
    if device == "laptop":
        # The teacher ends the class from a full-screen stage; the student has the picker open.
        t.click("#btn-fullscreen")
        t.wait_for_function("() => document.fullscreenElement?.id === 'room-stage'")
        s.click("#device-settings summary")
    else:
        # The student reads the chat in the bottom sheet (with its backdrop) when the class ends.
        s.click("#btn-show-chat")
        wait_sheet(s, open_=True)
    t.evaluate("() => { window.confirm = () => true; }")  # "End the meeting for everyone?" Yes
    t.click("#btn-end-meeting")
    for name, page in (("teacher", t), ("student", s)):
        page.locator("#room-end").wait_for(state="visible", timeout=5_000)
        page.wait_for_function(
            """() => !document.fullscreenElement
              && !document.querySelector('.offcanvas-backdrop')"""
        )
        shot(page, tmp_path, f"ended-{device}-{name}")
        m = dict(page.evaluate(END_JS))
        assert page.locator("#room-end-title").inner_text() == "The class has ended"
        assert m["title"], m  # in sight, not covered
        assert m["back"], m
        assert m["live"] == [], m
        assert m["barLive"] == [], m
        assert not m["recorder"], m
        assert m["backdrops"] == 0, m
        assert m["fullscreen"] is None, m
        assert m["bodyOverflow"] != "hidden", m  # the sheet gave the page its scrolling back
        assert m["scrollWidth"] <= m["innerWidth"], m
        # Readable: the card is wide, up to its 36rem, with a margin on a phone.
        assert m["width"] >= min(0.85 * m["innerWidth"], 36 * 16 - 1), m
    assert_no_csp_violation(t, s)
