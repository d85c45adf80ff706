from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.discussions.models import Comment, Discussion, Vote
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory, VoteFactory
from classmeet.discussions.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

XSS = (
    "<script>alert('s')</script>\n\n"
    "<img src=x onerror=\"alert('i')\">\n\n"
    "[click](javascript:alert('j'))\n\n"
    "<a href=\"javascript:alert('a')\" onclick=\"alert('c')\">x</a>\n\n"
    "<svg onload=alert('v')></svg><iframe src=\"https://evil.test\"></iframe>"
)


@pytest.fixture
def discussion(course, student, enrollment):
    return DiscussionFactory.create(course=course, author=student, title="Python Decorators")


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"discussions:{name}", kwargs=kwargs)


# Access -----------------------------------------------------------------------------------------


def test_list_needs_sign_in(client):
    response = client.get(url("discussion-list"))
    assert response.status_code == 302
    assert "/auth/" in response["Location"]


def test_list_shows_only_my_courses(client, student, discussion, other_teacher):
    hidden = DiscussionFactory.create(
        course=CourseFactory.create(teacher=other_teacher), title="Secret plans"
    )
    client.force_login(student)
    response = client.get(url("discussion-list"))
    assert response.status_code == 200
    assert b"Python Decorators" in response.content
    assert hidden.title.encode() not in response.content


def test_outsider_gets_404_everywhere(client, outsider, discussion):
    comment = CommentFactory.create(discussion=discussion)
    client.force_login(outsider)
    assert client.get(url("discussion-detail", discussion_id=discussion.pk)).status_code == 404
    assert client.get(url("discussion-create", course_id=discussion.course_id)).status_code == 404
    assert client.get(url("discussion-list") + f"?course={discussion.course_id}").status_code == 404
    for name, kwargs in [
        ("comment-create", {"discussion_id": discussion.pk}),
        ("discussion-upvote", {"discussion_id": discussion.pk}),
        ("discussion-pin", {"discussion_id": discussion.pk}),
        ("comment-upvote", {"comment_id": comment.pk}),
        ("comment-delete", {"comment_id": comment.pk}),
    ]:
        assert client.post(url(name, **kwargs), {"body": "x", "pinned": "1"}).status_code == 404
    assert not Comment.objects.filter(body="x").exists()
    assert not Vote.objects.exists()


def test_missing_discussion_is_404(client, student):
    client.force_login(student)
    assert client.get(url("discussion-detail", discussion_id=999999)).status_code == 404


# Create, comment, reply ---------------------------------------------------------------------------


def test_student_creates_discussion(client, student, course, enrollment):
    client.force_login(student)
    page = client.get(url("discussion-create", course_id=course.pk))
    assert page.status_code == 200
    assert b"Start a New Discussion" in page.content
    response = client.post(
        url("discussion-create", course_id=course.pk),
        {"title": "Python Decorators", "body": "Can someone explain?"},
    )
    discussion = Discussion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == discussion.get_absolute_url()
    assert discussion.author == student
    assert discussion.course == course


def test_create_with_blank_fields_shows_form_errors(client, student, course, enrollment):
    client.force_login(student)
    response = client.post(
        url("discussion-create", course_id=course.pk), {"title": " ", "body": ""}
    )
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    assert not Discussion.objects.exists()


def test_comment_and_reply(client, student, discussion, teacher):
    client.force_login(teacher)
    client.post(url("comment-create", discussion_id=discussion.pk), {"body": "Sure!"})
    top = Comment.objects.get()
    response = client.post(
        url("comment-create", discussion_id=discussion.pk), {"body": "Thanks", "parent_id": top.pk}
    )
    reply = Comment.objects.exclude(pk=top.pk).get()
    assert reply.parent == top
    assert response["Location"] == reply.get_absolute_url()
    page = client.get(url("discussion-detail", discussion_id=discussion.pk))
    assert b"Comments (2)" in page.content
    assert f'id="comment-{reply.pk}"'.encode() in page.content


def test_reply_to_comment_of_another_discussion_is_400(client, student, discussion):
    other = CommentFactory.create(discussion=DiscussionFactory.create(course=discussion.course))
    client.force_login(student)
    response = client.post(
        url("comment-create", discussion_id=discussion.pk), {"body": "x", "parent_id": other.pk}
    )
    assert response.status_code == 400
    assert not Comment.objects.filter(body="x").exists()


@pytest.mark.parametrize("parent_id", ["abc", "-1"])
def test_bad_parent_id_does_not_crash(client, student, discussion, parent_id):
    client.force_login(student)
    response = client.post(
        url("comment-create", discussion_id=discussion.pk), {"body": "x", "parent_id": parent_id}
    )
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_empty_comment_is_refused(client, student, discussion):
    client.force_login(student)
    client.post(url("comment-create", discussion_id=discussion.pk), {"body": ""})
    assert not Comment.objects.exists()


def test_get_on_post_only_urls_is_405(client, student, discussion):
    client.force_login(student)
    assert client.get(url("discussion-upvote", discussion_id=discussion.pk)).status_code == 405
    assert client.get(url("comment-create", discussion_id=discussion.pk)).status_code == 405


# Edit and delete ----------------------------------------------------------------------------------


def test_author_edits_own_discussion(client, student, discussion):
    client.force_login(student)
    response = client.post(
        url("discussion-edit", discussion_id=discussion.pk), {"title": "New", "body": "*new*"}
    )
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.title == "New"
    assert "<em>new</em>" in discussion.body_html
    assert discussion.edited_at is not None


def test_others_cannot_edit_or_delete(client, course, discussion):
    mate = EnrollmentFactory.create(course=course).student
    client.force_login(mate)
    assert client.get(url("discussion-edit", discussion_id=discussion.pk)).status_code == 403
    assert client.post(url("discussion-delete", discussion_id=discussion.pk)).status_code == 403
    comment = CommentFactory.create(discussion=discussion)
    assert client.post(url("comment-edit", comment_id=comment.pk), {"body": "x"}).status_code == 403
    assert client.post(url("comment-delete", comment_id=comment.pk)).status_code == 403
    discussion.refresh_from_db()
    assert not discussion.is_deleted


def test_author_deletes_own_comment_thread_stays_readable(client, student, discussion):
    top = CommentFactory.create(discussion=discussion, author=student, body="my words")
    reply = CommentFactory.create(discussion=discussion, parent=top, body="a reply")
    client.force_login(student)
    client.post(url("comment-delete", comment_id=top.pk))
    page = client.get(url("discussion-detail", discussion_id=discussion.pk))
    assert b"This comment was deleted." in page.content
    assert b"my words" not in page.content
    assert b"a reply" in page.content
    assert reply.pk


def test_author_edits_own_comment(client, student, discussion):
    comment = CommentFactory.create(discussion=discussion, author=student)
    client.force_login(student)
    assert client.get(url("comment-edit", comment_id=comment.pk)).status_code == 200
    client.post(url("comment-edit", comment_id=comment.pk), {"body": "fixed"})
    comment.refresh_from_db()
    assert comment.body == "fixed"


def test_deleted_discussion_is_readable_and_closed(client, student, discussion):
    CommentFactory.create(discussion=discussion, body="kept comment")
    client.force_login(student)
    client.post(url("discussion-delete", discussion_id=discussion.pk))
    page = client.get(url("discussion-detail", discussion_id=discussion.pk))
    assert page.status_code == 200
    assert b"This discussion was deleted" in page.content
    assert b"kept comment" in page.content
    assert (
        client.post(
            url("comment-create", discussion_id=discussion.pk), {"body": "late"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            url("discussion-edit", discussion_id=discussion.pk), {"title": "t", "body": "b"}
        ).status_code
        == 403
    )


# Moderation -------------------------------------------------------------------------------------


def test_teacher_pins_locks_deletes_and_marks_answer(client, teacher, discussion):
    comment = CommentFactory.create(discussion=discussion)
    client.force_login(teacher)
    client.post(url("discussion-pin", discussion_id=discussion.pk), {"pinned": "1"})
    client.post(url("discussion-lock", discussion_id=discussion.pk), {"locked": "1"})
    client.post(url("comment-answer", comment_id=comment.pk), {"answer": "1"})
    discussion.refresh_from_db()
    comment.refresh_from_db()
    assert discussion.is_pinned
    assert discussion.is_locked
    assert comment.is_answer
    client.post(url("comment-delete", comment_id=comment.pk))
    client.post(url("discussion-delete", discussion_id=discussion.pk))
    comment.refresh_from_db()
    discussion.refresh_from_db()
    assert comment.is_deleted
    assert discussion.is_deleted


def test_bad_moderation_flag_is_400(client, teacher, discussion):
    client.force_login(teacher)
    assert (
        client.post(
            url("discussion-pin", discussion_id=discussion.pk), {"pinned": "yes"}
        ).status_code
        == 400
    )
    assert client.post(url("discussion-lock", discussion_id=discussion.pk)).status_code == 400


def test_students_cannot_moderate(client, student, discussion):
    comment = CommentFactory.create(discussion=discussion)
    client.force_login(student)
    assert (
        client.post(url("discussion-pin", discussion_id=discussion.pk), {"pinned": "1"}).status_code
        == 403
    )
    assert (
        client.post(
            url("discussion-lock", discussion_id=discussion.pk), {"locked": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(url("comment-answer", comment_id=comment.pk), {"answer": "1"}).status_code
        == 403
    )


def test_other_teacher_cannot_moderate(client, other_teacher, discussion):
    client.force_login(other_teacher)
    assert (
        client.post(url("discussion-pin", discussion_id=discussion.pk), {"pinned": "1"}).status_code
        == 404
    )


def test_locked_discussion_refuses_student_comments(client, student, teacher, discussion):
    discussion.is_locked = True
    discussion.save()
    client.force_login(student)
    page = client.get(url("discussion-detail", discussion_id=discussion.pk))
    assert b"locked" in page.content
    assert (
        client.post(url("comment-create", discussion_id=discussion.pk), {"body": "x"}).status_code
        == 403
    )
    client.force_login(teacher)
    assert (
        client.post(
            url("comment-create", discussion_id=discussion.pk), {"body": "closing"}
        ).status_code
        == 302
    )


def test_pinned_first_then_newest_activity(client, student, course, enrollment):
    old = DiscussionFactory.create(course=course, title="Old pinned", is_pinned=True)
    DiscussionFactory.create(course=course, title="Newer")
    client.force_login(student)
    page = client.get(url("discussion-list")).content.decode()
    assert page.index("Old pinned") < page.index("Newer")
    assert old.pk


# Upvotes ----------------------------------------------------------------------------------------


def test_upvote_toggle_by_post(client, student, discussion):
    client.force_login(student)
    client.post(url("discussion-upvote", discussion_id=discussion.pk))
    page = client.get(url("discussion-detail", discussion_id=discussion.pk))
    assert b"Upvoted" in page.content
    assert b"1 Upvote" in page.content
    client.post(url("discussion-upvote", discussion_id=discussion.pk))
    page = client.get(url("discussion-detail", discussion_id=discussion.pk))
    assert b"0 Upvotes" in page.content


def test_comment_upvote(client, student, discussion):
    comment = CommentFactory.create(discussion=discussion)
    client.force_login(student)
    client.post(url("comment-upvote", comment_id=comment.pk))
    assert Vote.objects.get(comment=comment, user=student).is_active


# List: filter, search, sort, pages ------------------------------------------------------------------


def test_filter_search_sort_and_paginate(client, teacher, course):
    other = CourseFactory.create(teacher=teacher, title="Chemistry")
    DiscussionFactory.create(course=other, title="Acids")
    popular = DiscussionFactory.create(course=course, title="Popular one")
    for _ in range(3):
        VoteFactory.create(discussion=popular)
    DiscussionFactory.create(course=course, title="Recent one", body="mentions entropy")
    client.force_login(teacher)
    by_course = client.get(url("discussion-list") + f"?course={other.pk}").content.decode()
    assert "Acids" in by_course
    assert "Popular one" not in by_course
    search = client.get(url("discussion-list") + "?q=entropy").content.decode()
    assert "Recent one" in search
    assert "Acids" not in search
    newest = client.get(url("discussion-list") + "?sort=newest").content.decode()
    assert newest.index("Recent one") < newest.index("Popular one")
    votes = client.get(url("discussion-list") + "?sort=votes").content.decode()
    assert votes.index("Popular one") < votes.index("Recent one")
    assert "3 Upvotes" in votes


def test_bad_filters_are_400_not_500(client, teacher):
    client.force_login(teacher)
    assert client.get(url("discussion-list") + "?course=abc").status_code == 400
    assert client.get(url("discussion-list") + "?sort=random").status_code == 400
    assert client.get(url("discussion-list") + "?page=zzz").status_code == 200


def test_list_is_paginated(client, teacher, course):
    for i in range(25):
        DiscussionFactory.create(course=course, title=f"Topic {i:02d}")
    client.force_login(teacher)
    first = client.get(url("discussion-list") + "?sort=newest").content.decode()
    second = client.get(url("discussion-list") + "?sort=newest&page=2").content.decode()
    assert first.count("discussion-item") == 20
    assert second.count("discussion-item") == 5
    assert "page=2" in first


# Sanitized Markdown -------------------------------------------------------------------------------


class _ActiveContent(HTMLParser):
    """Collect every element or attribute of a page that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("iframe", "svg", "object", "embed"):
            self.found.append(tag)
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.found.append("inline script")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value}]")


def assert_inert(html: str) -> None:
    parser = _ActiveContent()
    parser.feed(html)
    assert parser.found == []
    assert "<script>alert" not in html


def test_xss_payloads_are_inert_in_the_rendered_page(client, student, course, enrollment):
    client.force_login(student)
    client.post(url("discussion-create", course_id=course.pk), {"title": "<b>t</b>", "body": XSS})
    discussion = Discussion.objects.get()
    client.post(url("comment-create", discussion_id=discussion.pk), {"body": XSS})
    page = client.get(url("discussion-detail", discussion_id=discussion.pk)).content.decode()
    assert_inert(page)
    body = page[page.index("<main") :]
    assert "&lt;b&gt;t&lt;/b&gt;" in body  # the title is autoescaped text
    assert 'rel="nofollow noopener noreferrer"' in body  # links survive, without their href
    listing = client.get(url("discussion-list")).content.decode()
    assert_inert(listing)


def test_markdown_is_rendered(client, student, course, enrollment):
    client.force_login(student)
    client.post(
        url("discussion-create", course_id=course.pk),
        {"title": "t", "body": "**bold**\n\n```\ncode <b>\n```\n\n[docs](https://docs.python.org)"},
    )
    page = client.get(Discussion.objects.get().get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in page
    assert "code &lt;b&gt;" in page
    assert 'href="https://docs.python.org"' in page


# Query budgets ------------------------------------------------------------------------------------


def populate(course, discussions: int, comments: int) -> list[Discussion]:
    students = [EnrollmentFactory.create(course=course).student for _ in range(3)]
    made = []
    for i in range(discussions):
        d = DiscussionFactory.create(course=course, author=students[i % 3])
        for s in students:
            VoteFactory.create(discussion=d, user=s)
        for j in range(comments):
            c = CommentFactory.create(discussion=d, author=students[j % 3])
            VoteFactory.create(comment=c, user=students[(j + 1) % 3])
            CommentFactory.create(discussion=d, parent=c, author=students[(j + 2) % 3])
        made.append(d)
    return made


def measure(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries, path: str, budget: int
) -> int:
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["list", "detail"])
def test_query_count_is_constant(client, teacher, course, django_assert_max_num_queries, page):
    small = populate(course, discussions=2, comments=1)
    client.force_login(teacher)
    path = url("discussion-list") if page == "list" else small[0].get_absolute_url()
    few = measure(client, django_assert_max_num_queries, path, 12)
    big = populate(course, discussions=15, comments=12)
    path = url("discussion-list") if page == "list" else big[0].get_absolute_url()
    many = measure(client, django_assert_max_num_queries, path, 12)
    assert few == many


def test_list_query_count_is_the_same_past_one_page(
    client, teacher, course, django_assert_max_num_queries
):
    # The first page is read with one row more; past one page the count rides in its statement.
    populate(course, discussions=2, comments=0)
    client.force_login(teacher)
    few = measure(client, django_assert_max_num_queries, url("discussion-list"), 12)
    populate(course, discussions=PAGE_SIZE + 5, comments=0)
    response = client.get(url("discussion-list"))
    assert "Page 1 of 2" in response.content.decode()
    many = measure(client, django_assert_max_num_queries, url("discussion-list"), 12)
    assert few == many


def test_new_discussion_button_lists_my_courses(client, teacher, course):
    CourseFactory.create(teacher=TeacherFactory.create(), title="Not mine")
    client.force_login(teacher)
    page = client.get(url("discussion-list")).content.decode()
    assert url("discussion-create", course_id=course.pk) in page
    assert "Not mine" not in page


def test_student_sees_no_moderation_buttons(client, student, discussion):
    CommentFactory.create(discussion=discussion)
    client.force_login(StudentFactory.create()) if False else client.force_login(student)
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert "Mark as answer" not in page
    assert url("discussion-pin", discussion_id=discussion.pk) not in page
