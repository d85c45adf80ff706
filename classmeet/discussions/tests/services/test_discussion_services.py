import pytest
from django.core.exceptions import ValidationError

from classmeet.discussions import services
from classmeet.discussions.models import Comment, Vote
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory

pytestmark = pytest.mark.django_db


def test_discussion_create_renders_sanitized_markdown(course, student, enrollment):
    discussion = services.discussion_create(
        course=course, author=student, title="  Decorators  ", body="**bold** <script>x()</script>"
    )
    assert discussion.title == "Decorators"
    assert "<strong>bold</strong>" in discussion.body_html
    assert "<script" not in discussion.body_html


def test_discussion_create_rejects_empty_title(course, student, enrollment):
    with pytest.raises(ValidationError):
        services.discussion_create(course=course, author=student, title="  ", body="x")


def test_comment_create_bumps_last_activity(course, student, enrollment):
    discussion = DiscussionFactory.create(course=course)
    before = discussion.last_activity_at
    services.comment_create(discussion=discussion, author=student, body="hi")
    discussion.refresh_from_db()
    assert discussion.last_activity_at > before


def test_reply_to_a_reply_attaches_to_the_top_level_comment(course, student, enrollment):
    discussion = DiscussionFactory.create(course=course)
    top = CommentFactory.create(discussion=discussion, author=student)
    reply = services.comment_create(discussion=discussion, author=student, body="r", parent=top)
    deeper = services.comment_create(discussion=discussion, author=student, body="d", parent=reply)
    assert reply.parent_id == top.pk
    assert deeper.parent_id == top.pk


def test_comment_create_rejects_parent_from_another_discussion(course, student, enrollment):
    discussion = DiscussionFactory.create(course=course)
    foreign = CommentFactory.create(discussion=DiscussionFactory.create(course=course))
    with pytest.raises(ValueError, match="another discussion"):
        services.comment_create(discussion=discussion, author=student, body="x", parent=foreign)


def test_comment_delete_is_soft_and_keeps_replies(course, student, enrollment):
    discussion = DiscussionFactory.create(course=course)
    top = CommentFactory.create(discussion=discussion, author=student, body="secret")
    reply = CommentFactory.create(discussion=discussion, parent=top)
    services.post_delete(post=top, by=student)
    top.refresh_from_db()
    assert top.is_deleted
    assert top.body == ""
    assert top.body_html == ""
    assert Comment.objects.filter(pk=reply.pk).exists()


def test_discussion_delete_is_soft(course, teacher):
    discussion = DiscussionFactory.create(course=course, body="gone")
    comment = CommentFactory.create(discussion=discussion)
    services.post_delete(post=discussion, by=teacher)
    discussion.refresh_from_db()
    assert discussion.is_deleted
    assert discussion.deleted_by == teacher
    assert discussion.body_html == ""
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_comment_set_answer_keeps_a_single_answer(course):
    discussion = DiscussionFactory.create(course=course)
    first, second = (
        CommentFactory.create(discussion=discussion),
        CommentFactory.create(discussion=discussion),
    )
    services.comment_set_answer(comment=first, is_answer=True)
    services.comment_set_answer(comment=second, is_answer=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_answer, second.is_answer) == (False, True)
    services.comment_set_answer(comment=second, is_answer=False)
    assert not Comment.objects.filter(discussion=discussion, is_answer=True).exists()


def test_vote_toggle_flips_and_keeps_one_row(course, student, enrollment):
    discussion = DiscussionFactory.create(course=course)
    assert services.vote_toggle(user=student, discussion=discussion) is True
    assert services.vote_toggle(user=student, discussion=discussion) is False
    assert services.vote_toggle(user=student, discussion=discussion) is True
    assert Vote.objects.filter(user=student, discussion=discussion).count() == 1


def test_vote_toggle_on_comment(course, student, enrollment):
    comment = CommentFactory.create(discussion=DiscussionFactory.create(course=course))
    assert services.vote_toggle(user=student, comment=comment) is True
    assert Vote.objects.get(user=student, comment=comment).is_active


def test_vote_toggle_needs_exactly_one_target(course, student):
    discussion = DiscussionFactory.create(course=course)
    with pytest.raises(ValueError, match="exactly one"):
        services.vote_toggle(user=student)
    with pytest.raises(ValueError, match="exactly one"):
        services.vote_toggle(
            user=student,
            discussion=discussion,
            comment=CommentFactory.create(discussion=discussion),
        )


def test_pin_and_lock(course):
    discussion = DiscussionFactory.create(course=course)
    services.discussion_set_pinned(discussion=discussion, pinned=True)
    services.discussion_set_locked(discussion=discussion, locked=True)
    discussion.refresh_from_db()
    assert discussion.is_pinned
    assert discussion.is_locked
