"""Admissions from a meeting's waiting room: an admitted student rejoins without waiting."""

from ..models import RoomAdmission


def room_admission_record(*, meeting_id: int, user_ids: list[int], by_id: int) -> None:
    """Record that the staff let these users in; admitting twice keeps the first row."""
    RoomAdmission.objects.bulk_create(
        [
            RoomAdmission(meeting_id=meeting_id, user_id=user_id, by_id=by_id)
            for user_id in user_ids
        ],
        ignore_conflicts=True,
    )
