"""Who gets what: every recipient rule of the issue, including 'never outside the course'."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import Enrollment
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.discussions import services as discussions
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

pytestmark = pytest.mark.django_db


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def classmates(course, enrollment):
    """student (from `enrollment`) plus two more enrolled students."""
    return [
        EnrollmentFactory.create(
            course=course, student=StudentFactory.create(username=f"mate{i}")
        ).student
        for i in range(2)
    ]


def test_new_discussion_notifies_course_members_except_author(
    course, teacher, student, classmates, outsider, other_teacher
):
    EnrollmentFactory.create(student=outsider)  # enrolled elsewhere only
    CourseFactory.create(teacher=other_teacher)
    discussions.discussion_create(course=course, author=student, title="Q", body="b")
    assert recipients(Notification.Kind.DISCUSSION_CREATED) == {"teacher", "mate0", "mate1"}
    n = Notification.objects.get(recipient=teacher)
    assert n.course == course
    assert n.actor == student
    assert n.url.startswith("/discussions/")
    assert '"Q"' in n.title


def test_new_discussion_by_teacher_notifies_students(course, teacher, student, classmates):
    discussions.discussion_create(course=course, author=teacher, title="Q", body="b")
    assert recipients(Notification.Kind.DISCUSSION_CREATED) == {"student", "mate0", "mate1"}


def test_comment_notifies_author_and_commenters_except_commenter(
    course, teacher, student, classmates
):
    mate0, mate1 = classmates
    discussion = DiscussionFactory.create(course=course, author=student)
    CommentFactory.create(discussion=discussion, author=mate0)
    discussions.comment_create(discussion=discussion, author=mate1, body="me too")
    # The teacher did not take part: not notified. mate1 commented: not notified of their own.
    assert recipients(Notification.Kind.COMMENT_CREATED) == {"student", "mate0"}


def test_comment_by_author_does_not_notify_author(course, student, classmates):
    discussion = DiscussionFactory.create(course=course, author=student)
    CommentFactory.create(discussion=discussion, author=classmates[0])
    discussions.comment_create(discussion=discussion, author=student, body="thanks")
    assert recipients(Notification.Kind.COMMENT_CREATED) == {"mate0"}


def test_comment_never_notifies_people_who_left_the_course(course, student, classmates):
    discussion = DiscussionFactory.create(course=course, author=student)
    CommentFactory.create(discussion=discussion, author=classmates[0])
    Enrollment.objects.filter(student=classmates[0]).delete()
    discussions.comment_create(discussion=discussion, author=classmates[1], body="x")
    assert recipients(Notification.Kind.COMMENT_CREATED) == {"student"}


def test_upvote_notifies_author_once_per_voter(course, student, classmates):
    discussion = DiscussionFactory.create(course=course, author=student)
    voter = classmates[0]
    discussions.vote_toggle(user=voter, discussion=discussion)
    discussions.vote_toggle(user=voter, discussion=discussion)  # un-vote
    discussions.vote_toggle(user=voter, discussion=discussion)  # re-vote
    assert Notification.objects.filter(kind=Notification.Kind.UPVOTE).count() == 1
    discussions.vote_toggle(user=classmates[1], discussion=discussion)
    assert (
        Notification.objects.filter(kind=Notification.Kind.UPVOTE, recipient=student).count() == 2
    )


def test_comment_upvote_notifies_comment_author(course, student, classmates):
    comment = CommentFactory.create(
        discussion=DiscussionFactory.create(course=course), author=classmates[0]
    )
    discussions.vote_toggle(user=student, comment=comment)
    n = Notification.objects.get(kind=Notification.Kind.UPVOTE)
    assert n.recipient == classmates[0]
    assert n.url.endswith(f"#comment-{comment.pk}")


def test_upvote_of_own_post_notifies_nobody(course, student, enrollment):
    discussion = DiscussionFactory.create(course=course, author=student)
    discussions.vote_toggle(user=student, discussion=discussion)
    assert not Notification.objects.exists()


def test_upvote_of_a_former_member_post_notifies_nobody(course, student, classmates):
    discussion = DiscussionFactory.create(course=course, author=classmates[0])
    Enrollment.objects.filter(student=classmates[0]).delete()
    discussions.vote_toggle(user=student, discussion=discussion)
    assert not Notification.objects.exists()


def test_notifications_create_drops_recipients_outside_the_course(
    course, teacher, student, enrollment, outsider
):
    """Meeting notifications pass the course: anyone outside it is dropped."""
    created = notifications_create(
        recipient_ids=[student.pk, outsider.pk, teacher.pk],
        kind=Notification.Kind.MEETING_SCHEDULED,
        title="Waves at 10:00",
        course=course,
    )
    assert {n.recipient_id for n in created} == {student.pk, teacher.pk}


def test_notifications_create_skips_actor_and_duplicates(course, teacher, student, enrollment):
    created = notifications_create(
        recipient_ids=[student.pk, student.pk, teacher.pk],
        kind=Notification.Kind.MEETING_CHANGED,
        title="Moved",
        actor=teacher,
        course=course,
    )
    assert [n.recipient_id for n in created] == [student.pk]


def test_notifications_create_with_nobody_left_writes_nothing(course, teacher):
    assert (
        notifications_create(recipient_ids=[teacher.pk], kind="upvote", title="x", actor=teacher)
        == []
    )
    assert not Notification.objects.exists()


def test_fan_out_is_one_insert(course, teacher):
    for i in range(30):
        EnrollmentFactory.create(course=course, student=StudentFactory.create(username=f"s{i}"))
    with CaptureQueriesContext(connection) as ctx:
        discussions.discussion_create(course=course, author=teacher, title="Exam", body="Friday")
    inserts = [
        q["sql"]
        for q in ctx.captured_queries
        if 'INSERT INTO "notifications_notification"' in q["sql"]
    ]
    assert len(inserts) == 1
    assert Notification.objects.filter(kind=Notification.Kind.DISCUSSION_CREATED).count() == 30


def test_fan_out_rolls_back_with_the_event(course, teacher, student, enrollment):
    from django.db import transaction

    def event_then_failure() -> None:
        with transaction.atomic():
            discussions.discussion_create(course=course, author=teacher, title="Q", body="b")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        event_then_failure()
    assert not Notification.objects.exists()


def test_returned_notifications_match_the_stored_rows(course, teacher, student, enrollment):
    (returned,) = notifications_create(
        recipient_ids=[student.pk],
        kind=Notification.Kind.MEETING_CANCELLED,
        title="Cancelled: “Waves” ✓",
        body="Sorry!",
        url="/meetings/3/",
        actor=teacher,
        course=course,
    )
    stored = Notification.objects.get(pk=returned.pk)
    for field in ("recipient_id", "actor_id", "course_id", "kind", "title", "body", "url"):
        assert getattr(returned, field) == getattr(stored, field), field
    assert stored.created_at == returned.created_at
    assert stored.read_at is None
    assert stored.emailed_at is None
