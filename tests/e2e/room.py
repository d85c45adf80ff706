"""Helpers the room's browser tests share: open the room as a user and read the page's state."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def room_url(meeting: Any) -> str:
    return reverse("rooms:room", kwargs={"meeting_id": meeting.pk})


def join(new_page: Any, user: Any, meeting: Any, *, init_script: str = "") -> Any:
    """A page of `user` (signed in by cookie) in the meeting's room, joined.

    `init_script` runs before the page's own scripts, on this page and any it reloads to."""
    page = new_page(user, sign_in="cookie")
    if init_script:
        page.context.add_init_script(init_script)
    page.goto(room_url(meeting))
    page.wait_for_selector("#room[data-joined='true']")
    return page


def peer_id(page: Any) -> str:
    return str(page.evaluate("() => window.classmeetRoom.peerId"))


def wait_participants(page: Any, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#participants li[data-peer]').length === n", arg=count
    )
