"""Every permission rule of Classmeet, in one place.

`can_*` functions answer yes/no. `access_*` functions fetch an object and check it in one go;
they raise `Http404` whether the object is missing or hidden from the user, so ids don't leak.
Views, DRF permissions and consumers call these instead of repeating the rules.

Staff accounts manage everything from /admin/; the app's own pages show them only what they
teach or attend, like anybody else.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from classmeet.accounts.models import User
    from classmeet.courses.models import Course
    from classmeet.meetings.models import Meeting

    AnyUser = User | AnonymousUser


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# Courses ---------------------------------------------------------------------------------------


def visible_courses_q(*, user: AnyUser, prefix: str = "") -> Q:
    """Return a filter that keeps the courses the user teaches or is enrolled in.

    `prefix` lets other models filter through their course (e.g. ``prefix="course__"``).
    """
    if not _is_authenticated(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}teacher_id": user.pk}) | Q(
        **{f"{prefix}enrollments__student_id": user.pk}
    )


def is_enrolled(*, user: AnyUser, course: Course) -> bool:
    if not _is_authenticated(user):
        return False
    known = getattr(course, "enrolled_viewer", None)
    if known is not None and known[0] == user.pk:
        return bool(known[1])
    from classmeet.courses.models import Enrollment

    return Enrollment.objects.filter(course_id=course.pk, student_id=user.pk).exists()


def can_create_course(*, user: AnyUser) -> bool:
    return _is_authenticated(user) and user.is_teacher  # type: ignore[union-attr]


def can_manage_course(*, user: AnyUser, course: Course) -> bool:
    """The course's own teacher edits it, its roster, materials and meetings."""
    return _is_authenticated(user) and course.teacher_id == user.pk


def can_view_course(*, user: AnyUser, course: Course) -> bool:
    return can_manage_course(user=user, course=course) or is_enrolled(user=user, course=course)


def can_enroll(*, user: AnyUser, course: Course) -> bool:
    """Students join a course by code or link while joining is enabled; teachers don't enroll."""
    return (
        _is_authenticated(user)
        and user.is_student  # type: ignore[union-attr]
        and course.joining_enabled
        and course.teacher_id != user.pk
    )


def access_course(*, user: AnyUser, course_id: int) -> Course:
    """Return the course, or raise Http404 if it is missing or hidden from the user."""
    from django.db.models import Exists, OuterRef

    from classmeet.courses.models import Course, Enrollment

    courses = Course.objects.select_related("teacher").filter(pk=course_id)
    if _is_authenticated(user):
        # The membership comes with the course (one query), and stays on this instance for the
        # page's own includes, which ask `can_view_course` again: (user id, enrolled).
        mine = Enrollment.objects.filter(course_id=OuterRef("pk"), student_id=user.pk)
        courses = courses.annotate(viewer_is_enrolled=Exists(mine))
    course = courses.first()
    if course is not None and user.pk is not None and hasattr(course, "viewer_is_enrolled"):
        course.enrolled_viewer = (user.pk, bool(course.viewer_is_enrolled))
    if course is None or not can_view_course(user=user, course=course):
        raise Http404
    return course


def access_course_for_manage(*, user: AnyUser, course_id: int) -> Course:
    """Return the course for its teacher; 404 to outsiders, 403 to its students."""
    course = access_course(user=user, course_id=course_id)
    if not can_manage_course(user=user, course=course):
        raise PermissionDenied
    return course


# Meetings --------------------------------------------------------------------------------------


def can_view_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_view_course(user=user, course=meeting.course)


def can_manage_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_manage_course(user=user, course=meeting.course)


def access_meeting(*, user: AnyUser, meeting_id: int) -> Meeting:
    """Return the meeting, or raise Http404 if it is missing or hidden from the user."""
    from classmeet.meetings.models import Meeting

    meeting = (
        Meeting.objects.select_related("course", "course__teacher").filter(pk=meeting_id).first()
    )
    if meeting is None or not can_view_meeting(user=user, meeting=meeting):
        raise Http404
    return meeting


def access_meeting_for_manage(*, user: AnyUser, meeting_id: int) -> Meeting:
    meeting = access_meeting(user=user, meeting_id=meeting_id)
    if not can_manage_meeting(user=user, meeting=meeting):
        raise PermissionDenied
    return meeting


class RoomEntry(enum.IntEnum):
    """Why someone may or may not enter a meeting room; values are the WebSocket close codes."""

    ALLOWED = 0
    ANONYMOUS = 4401
    # Missing, cancelled or hidden from the user: one code, so a socket cannot tell which ids
    # exist (the room page answers the same 404).
    NOT_FOUND = 4404
    NOT_OPEN = 4409
    REMOVED = 4410  # the teacher removed this user from this meeting


def room_entry(*, user: AnyUser, meeting_id: int) -> tuple[RoomEntry, Meeting | None]:
    """Decide whether the user may enter the meeting's live room now.

    Shared by the room page and the signaling socket. A missing or cancelled meeting, or one the
    user may not see, is NOT_FOUND; a meeting outside its join window (or ended) is NOT_OPEN.
    """
    from classmeet.meetings.models import Meeting

    if not _is_authenticated(user):
        return RoomEntry.ANONYMOUS, None
    meeting = (
        Meeting.objects.select_related("course", "course__teacher").filter(pk=meeting_id).first()
    )
    if (
        meeting is None
        or meeting.status == Meeting.Status.CANCELLED
        or not can_view_meeting(user=user, meeting=meeting)
    ):
        return RoomEntry.NOT_FOUND, None
    if is_removed_from_meeting(user=user, meeting=meeting):
        return RoomEntry.REMOVED, meeting
    if not meeting.is_joinable():
        return RoomEntry.NOT_OPEN, meeting
    return RoomEntry.ALLOWED, meeting


def can_join_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    entry, _ = room_entry(user=user, meeting_id=meeting.pk)
    return entry is RoomEntry.ALLOWED


# Live room controls, attendance and chat log (rooms app) ---------------------------------------


def is_removed_from_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    """The teacher removed this user from this meeting's room; they may not come back."""
    if not _is_authenticated(user):
        return False
    from classmeet.meetings.models import RoomRemoval

    return RoomRemoval.objects.filter(meeting_id=meeting.pk, user_id=user.pk or 0).exists()


def can_control_room(*, user: AnyUser, meeting: Meeting) -> bool:
    """Mute all, mute or remove a participant, lower a hand, delete chat, end the meeting."""
    return can_manage_meeting(user=user, meeting=meeting)


def can_raise_hand(*, user: AnyUser, meeting: Meeting) -> bool:
    """Students raise a hand to speak; whoever runs the room, and any teacher, does not."""
    return (
        _is_authenticated(user)
        and user.is_student  # type: ignore[union-attr]
        and not can_control_room(user=user, meeting=meeting)
    )


def can_view_attendance(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_manage_meeting(user=user, meeting=meeting)


def can_view_chat_log(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_manage_meeting(user=user, meeting=meeting)


def can_view_course_attendance(*, user: AnyUser, course: Course) -> bool:
    return can_manage_course(user=user, course=course)


# Accounts --------------------------------------------------------------------------------------


class TeacherSignup(enum.StrEnum):
    """settings.CLASSMEET_TEACHER_SIGNUP: who may create a teacher account on /auth/signup/."""

    OPEN = "open"
    INVITE = "invite"
    CLOSED = "closed"


def teacher_signup_mode() -> TeacherSignup:
    """Return the configured mode; an unknown value counts as closed (fail safe)."""
    from django.conf import settings

    try:
        return TeacherSignup(str(settings.CLASSMEET_TEACHER_SIGNUP).strip().lower())
    except ValueError:
        return TeacherSignup.CLOSED


def can_sign_up_as_teacher(*, invite_code: str = "") -> bool:
    """Open mode lets anyone in; invite mode needs a usable invite code; closed lets nobody."""
    mode = teacher_signup_mode()
    if mode is TeacherSignup.OPEN:
        return True
    if mode is TeacherSignup.CLOSED or not invite_code:
        return False
    from classmeet.accounts.selectors import teacher_invite_usable_list

    return teacher_invite_usable_list().filter(code=invite_code).exists()


# Discussions -----------------------------------------------------------------------------------
# A discussion lives in a course: its teacher and enrolled students read and post in it; the
# teacher moderates (pin, lock, delete any post, mark the answer). Authors edit and delete their own.

if TYPE_CHECKING:
    from classmeet.discussions.models import Comment, Discussion


def _discussion_of(post: Discussion | Comment) -> Discussion:
    from classmeet.discussions.models import Comment

    return post.discussion if isinstance(post, Comment) else post


def discussions_visible_q(*, user: AnyUser, prefix: str = "") -> Q:
    """Return a filter that keeps the discussions of the courses the user teaches or attends.

    Filters through a subquery on courses, so the result never has duplicate rows.
    """
    from classmeet.courses.models import Course

    if not _is_authenticated(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}course__in": Course.objects.filter(visible_courses_q(user=user))})


def can_view_discussion(*, user: AnyUser, discussion: Discussion) -> bool:
    return can_view_course(user=user, course=discussion.course)


def can_start_discussion(*, user: AnyUser, course: Course) -> bool:
    return can_view_course(user=user, course=course)


def can_moderate_discussion(*, user: AnyUser, discussion: Discussion) -> bool:
    """Pin, lock, delete any post, mark an answer: the course's own teacher."""
    return can_manage_course(user=user, course=discussion.course)


def can_comment(*, user: AnyUser, discussion: Discussion) -> bool:
    """Members comment until the discussion is locked or deleted; its teacher may still answer."""
    if discussion.deleted_at is not None or not can_view_discussion(
        user=user, discussion=discussion
    ):
        return False
    return not discussion.is_locked or can_moderate_discussion(user=user, discussion=discussion)


def can_upvote(*, user: AnyUser, discussion: Discussion) -> bool:
    return discussion.deleted_at is None and can_view_discussion(user=user, discussion=discussion)


def post_actions(
    *, user: AnyUser, post: Discussion | Comment, member: bool, moderator: bool
) -> tuple[bool, bool]:
    """Return (may edit, may delete) for a post, given whether the user is a member of its course
    and its moderator. Lets a page decide for many posts without a query per post."""
    if not member or post.deleted_at is not None or not _is_authenticated(user):
        return False, False
    own = post.author_id is not None and post.author_id == user.pk
    return own, own or moderator


def can_edit_post(*, user: AnyUser, post: Discussion | Comment) -> bool:
    """Only the author edits their own post, while it is not deleted and they are in the course."""
    discussion = _discussion_of(post)
    member = can_view_discussion(user=user, discussion=discussion)
    return post_actions(user=user, post=post, member=member, moderator=False)[0]


def can_delete_post(*, user: AnyUser, post: Discussion | Comment) -> bool:
    """The author deletes their own post; the course's teacher deletes any post in the course."""
    discussion = _discussion_of(post)
    member = can_view_discussion(user=user, discussion=discussion)
    moderator = can_moderate_discussion(user=user, discussion=discussion)
    return post_actions(user=user, post=post, member=member, moderator=moderator)[1]


def access_discussion(*, user: AnyUser, discussion_id: int) -> Discussion:
    """Return the discussion, or raise Http404 if it is missing or hidden from the user."""
    from classmeet.discussions.models import Discussion

    discussion = (
        Discussion.objects.select_related("course", "course__teacher", "author")
        .filter(pk=discussion_id)
        .first()
    )
    if discussion is None or not can_view_discussion(user=user, discussion=discussion):
        raise Http404
    return discussion


def access_discussion_for_moderation(*, user: AnyUser, discussion_id: int) -> Discussion:
    """Return the discussion for its course's teacher; 404 to outsiders, 403 to students."""
    discussion = access_discussion(user=user, discussion_id=discussion_id)
    if not can_moderate_discussion(user=user, discussion=discussion):
        raise PermissionDenied
    return discussion


def access_comment(*, user: AnyUser, comment_id: int) -> Comment:
    """Return the comment, or raise Http404 if it is missing or its course is hidden from the user."""
    from classmeet.discussions.models import Comment

    comment = (
        Comment.objects.select_related(
            "discussion", "discussion__course", "discussion__course__teacher", "author"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or not can_view_discussion(user=user, discussion=comment.discussion):
        raise Http404
    return comment


# Notifications ---------------------------------------------------------------------------------

if TYPE_CHECKING:
    from classmeet.notifications.models import Notification


def access_notification(*, user: AnyUser, notification_id: int) -> Notification:
    """Return the user's own notification, or raise Http404 (someone else's is as missing)."""
    from classmeet.notifications.models import Notification

    notification = None
    if _is_authenticated(user):
        notification = (
            Notification.objects.select_related("recipient")
            .filter(pk=notification_id, recipient_id=user.pk)
            .first()
        )
    if notification is None:
        raise Http404
    return notification


# Recordings ------------------------------------------------------------------------------------
# The course's teacher records a meeting while its room is open, and renames or deletes the
# recordings; its enrolled students watch and download the finished ones. Anybody else, and a
# student asking for a recording that is not ready yet, gets the same 404 as for a missing one.

if TYPE_CHECKING:
    from classmeet.recordings.models import Recording


def can_record_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_control_room(user=user, meeting=meeting) and meeting.is_joinable()


def can_manage_recording(*, user: AnyUser, recording: Recording) -> bool:
    return can_manage_meeting(user=user, meeting=recording.meeting)


def can_view_recording(*, user: AnyUser, recording: Recording) -> bool:
    if can_manage_recording(user=user, recording=recording):
        return True
    return recording.is_ready and can_view_meeting(user=user, meeting=recording.meeting)


def access_recording(*, user: AnyUser, recording_id: int) -> Recording:
    """Return the recording, or raise Http404 if it is missing or hidden from the user."""
    from classmeet.recordings.models import Recording

    recording = (
        Recording.objects.select_related("meeting", "meeting__course", "created_by")
        .filter(pk=recording_id)
        .first()
    )
    if recording is None or not can_view_recording(user=user, recording=recording):
        raise Http404
    return recording


def access_recording_for_manage(*, user: AnyUser, recording_id: int) -> Recording:
    """Return the recording for its course's teacher; 404 to outsiders, 403 to its students."""
    from classmeet.recordings.models import Recording

    recording = (
        Recording.objects.select_related("meeting", "meeting__course", "created_by")
        .filter(pk=recording_id)
        .first()
    )
    if recording is None or not can_view_meeting(user=user, meeting=recording.meeting):
        raise Http404
    if not can_manage_recording(user=user, recording=recording):
        raise PermissionDenied
    return recording
