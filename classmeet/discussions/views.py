"""Discussion pages: thin views over access rules, selectors and services."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.core.pagination import page_of

from . import selectors, services
from .forms import CommentForm, DiscussionFilterForm, DiscussionForm
from .models import Comment, Discussion

PAGE_SIZE = 20


@login_required
@require_GET
def discussion_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = DiscussionFilterForm(request.GET)
    if not filters.is_valid():
        return HttpResponseBadRequest(_("Invalid filter."))
    courses = selectors.discussion_course_choices(user=user)
    course_id = filters.cleaned_data["course"]
    current_course = next((c for c in courses if c.pk == course_id), None)
    if course_id is not None and current_course is None:
        return render(request, "404.html", status=404)
    rows = selectors.DiscussionPageRows(
        user=user,
        course_id=course_id,
        query=filters.cleaned_data["q"],
        sort=filters.cleaned_data["sort"],
    )
    page = page_of(rows, request.GET.get("page"), PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "discussions/discussion_list.html",
        {
            "nav": "discussions",
            "page": page,
            "courses": courses,
            "current_course": current_course,
            "q": filters.cleaned_data["q"],
            "sort": filters.cleaned_data["sort"],
            "querystring": params.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def discussion_create(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    if not access.discussions.can_start_discussion(user=user, course=course):
        raise PermissionDenied
    form = DiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        discussion = services.discussion_create(course=course, author=user, **form.cleaned_data)
        messages.success(request, _("Your discussion is posted."))
        return redirect(discussion)
    return render(
        request,
        "discussions/discussion_form.html",
        {"nav": "discussions", "form": form, "course": course, "discussion": None},
    )


@login_required
@require_GET
def discussion_detail(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = request_user(request)
    # One query: the discussion, its counts and the viewer's membership (as access_discussion).
    discussion = selectors.discussion_get(user=user, discussion_id=discussion_id)
    if discussion is None or not access.discussions.can_view_discussion(
        user=user, discussion=discussion
    ):
        raise Http404
    nodes = selectors.comment_tree(user=user, discussion=discussion)
    moderator = access.discussions.can_moderate_discussion(user=user, discussion=discussion)
    posts: list[Discussion | Comment] = [discussion, *selectors.comment_tree_posts(nodes)]
    for post in posts:
        # Decided here once per post, so the template runs no permission queries.
        actions = access.discussions.post_actions(
            user=user, post=post, member=True, moderator=moderator
        )
        post.can_edit, post.can_delete = actions  # type: ignore[union-attr]
    return render(
        request,
        "discussions/discussion_detail.html",
        {
            "nav": "discussions",
            "discussion": discussion,
            "nodes": nodes,
            "comment_form": CommentForm(),
            "can_comment": access.discussions.can_comment(user=user, discussion=discussion),
            "can_moderate": moderator,
            "can_upvote": access.discussions.can_upvote(user=user, discussion=discussion),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def discussion_edit(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = request_user(request)
    discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
    if not access.discussions.can_edit_post(user=user, post=discussion):
        raise PermissionDenied
    initial = {"title": discussion.title, "body": discussion.body}
    form = DiscussionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.discussion_update(discussion=discussion, **form.cleaned_data)
        messages.success(request, _("Your discussion is updated."))
        return redirect(discussion)
    return render(
        request,
        "discussions/discussion_form.html",
        {
            "nav": "discussions",
            "form": form,
            "course": discussion.course,
            "discussion": discussion,
        },
    )


@login_required
@require_POST
def discussion_delete(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = request_user(request)
    discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
    if not access.discussions.can_delete_post(user=user, post=discussion):
        raise PermissionDenied
    services.post_delete(post=discussion, by=user)
    messages.success(request, _("The discussion is deleted."))
    return redirect(discussion)


@login_required
@require_POST
def discussion_upvote(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = request_user(request)
    discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
    if not access.discussions.can_upvote(user=user, discussion=discussion):
        raise PermissionDenied
    services.vote_toggle(user=user, discussion=discussion)
    return redirect(discussion)


def _moderation_flag(request: HttpRequest, name: str) -> bool | None:
    """Read an explicit on/off POST field ("1"/"0"), so a double submit cannot flip it back."""
    value = request.POST.get(name, "")
    return {"1": True, "0": False}.get(value)


def _moderate_discussion(
    request: HttpRequest,
    discussion_id: int,
    field: str,
    apply: Callable[[Discussion, bool], object],
) -> HttpResponse:
    discussion = access.discussions.access_discussion_for_moderation(
        user=request_user(request), discussion_id=discussion_id
    )
    value = _moderation_flag(request, field)
    if value is None:
        return HttpResponseBadRequest(_("Send %(field)s=1 or %(field)s=0.") % {"field": field})
    apply(discussion, value)
    return redirect(discussion)


@login_required
@require_POST
def discussion_pin(request: HttpRequest, discussion_id: int) -> HttpResponse:
    return _moderate_discussion(
        request,
        discussion_id,
        "pinned",
        lambda d, on: services.discussion_set_pinned(discussion=d, pinned=on),
    )


@login_required
@require_POST
def discussion_lock(request: HttpRequest, discussion_id: int) -> HttpResponse:
    return _moderate_discussion(
        request,
        discussion_id,
        "locked",
        lambda d, on: services.discussion_set_locked(discussion=d, locked=on),
    )


@login_required
@require_POST
def comment_create(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = request_user(request)
    discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
    if not access.discussions.can_comment(user=user, discussion=discussion):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first (at most 20,000 characters)."))
        return redirect(discussion)
    parent = None
    if form.cleaned_data["parent_id"]:
        parent = Comment.objects.filter(
            pk=form.cleaned_data["parent_id"], discussion_id=discussion.pk
        ).first()
        if parent is None:
            return HttpResponseBadRequest(_("The comment you reply to is not in this discussion."))
    comment = services.comment_create(
        discussion=discussion, author=user, body=form.cleaned_data["body"], parent=parent
    )
    return redirect(comment)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = request_user(request)
    comment = access.discussions.access_comment(user=user, comment_id=comment_id)
    if not access.discussions.can_edit_post(user=user, post=comment):
        raise PermissionDenied
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        services.comment_update(comment=comment, body=form.cleaned_data["body"])
        return redirect(comment)
    return render(
        request,
        "discussions/comment_form.html",
        {"nav": "discussions", "form": form, "comment": comment},
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = request_user(request)
    comment = access.discussions.access_comment(user=user, comment_id=comment_id)
    if not access.discussions.can_delete_post(user=user, post=comment):
        raise PermissionDenied
    services.post_delete(post=comment, by=user)
    messages.success(request, _("The comment is deleted."))
    return redirect(comment)


@login_required
@require_POST
def comment_upvote(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = request_user(request)
    comment = access.discussions.access_comment(user=user, comment_id=comment_id)
    if comment.is_deleted or not access.discussions.can_upvote(
        user=user, discussion=comment.discussion
    ):
        raise PermissionDenied
    services.vote_toggle(user=user, comment=comment)
    return redirect(comment)


@login_required
@require_POST
def comment_answer(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = request_user(request)
    comment = access.discussions.access_comment(user=user, comment_id=comment_id)
    if not access.discussions.can_moderate_discussion(user=user, discussion=comment.discussion):
        raise PermissionDenied
    is_answer = _moderation_flag(request, "answer")
    if is_answer is None:
        return HttpResponseBadRequest(_("Send %(field)s=1 or %(field)s=0.") % {"field": "answer"})
    if comment.is_deleted:
        return HttpResponseBadRequest(_("A deleted comment cannot be the answer."))
    services.comment_set_answer(comment=comment, is_answer=is_answer)
    return redirect(comment)
