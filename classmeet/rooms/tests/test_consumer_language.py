"""The room socket speaks each user's language: the profile's, else the browser's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async

from classmeet.rooms.tests.conftest import ORIGIN, Peer, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

BAD_JSON = "That frame is not valid JSON."
ENDED = "The teacher ended this meeting for everyone."
CATALOGS = {
    "fr": {BAD_JSON: "Ce message n'est pas du JSON valide.", ENDED: "Le cours est terminé."},
    "es": {BAD_JSON: "Ese mensaje no es JSON válido.", ENDED: "La clase ha terminado."},
}


@pytest.fixture
def catalogs(test_catalog):
    for language, messages in CATALOGS.items():
        test_catalog(language, messages)


async def _set_language(user, language: str) -> None:
    user.language = language
    await database_sync_to_async(user.save)(update_fields=["language"])


async def _error(peer: Peer) -> dict[str, Any]:
    await peer.send("{not json")
    return await peer.recv_type("error")


async def test_error_frames_are_in_each_sockets_language(
    catalogs, teacher, student, enrollment, live_meeting
):
    """Two sockets at once: the French teacher's errors in French; the student who chose no
    language gets Spanish, as their browser asks; neither leaks into the other."""
    await _set_language(teacher, "fr")
    await _set_language(student, "")
    french, _ = await open_socket(teacher, live_meeting.pk)
    spanish, _ = await open_socket(
        student, live_meeting.pk, headers=[ORIGIN, (b"accept-language", b"es-ES,es;q=0.9,en;q=0.5")]
    )
    await french.join()
    await spanish.join()
    for _round in range(2):  # handlers after the join run in the same language
        assert (await _error(french))["message"] == CATALOGS["fr"][BAD_JSON]
        assert (await _error(spanish))["message"] == CATALOGS["es"][BAD_JSON]
    await french.close()
    await spanish.close()


async def test_profile_language_wins_over_the_browser(catalogs, teacher, live_meeting):
    await _set_language(teacher, "fr")
    peer, _ = await open_socket(
        teacher, live_meeting.pk, headers=[ORIGIN, (b"accept-language", b"es")]
    )
    assert (await _error(peer))["message"] == CATALOGS["fr"][BAD_JSON]
    await peer.close()


async def test_no_language_anywhere_is_english(catalogs, teacher, live_meeting):
    await _set_language(teacher, "")
    peer, _ = await open_socket(
        teacher, live_meeting.pk, headers=[ORIGIN, (b"accept-language", b"de, *;q=0.1")]
    )
    assert (await _error(peer))["message"] == BAD_JSON
    await peer.close()


async def test_a_frame_made_for_the_room_reaches_each_in_their_language(
    catalogs, teacher, student, enrollment, live_meeting
):
    """The end of the meeting is written by each receiving socket, not by the teacher's."""
    await _set_language(teacher, "fr")
    spanish, _ = await open_socket(
        student, live_meeting.pk, headers=[ORIGIN, (b"accept-language", b"es")]
    )
    french, _ = await open_socket(teacher, live_meeting.pk)
    await spanish.join()
    await french.join()
    await french.send({"type": "end-meeting"})
    while (frame := json.loads(await spanish.ws.receive_from(timeout=3)))[
        "type"
    ] != "meeting-ended":
        pass
    assert frame["reason"] == CATALOGS["es"][ENDED]
    await french.close()
    await spanish.close()
