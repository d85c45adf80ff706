"""Discussions, comments and upvotes. The discussions app's selectors count votes and comments
in subqueries, its services render Markdown safely and notify;
classmeet.access decides who may post."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.discussions import selectors, services
from classmeet.discussions.forms import CommentForm, DiscussionForm
from classmeet.discussions.models import Comment, Discussion

from .common import MAX_ID, FastOutputMixin, form_checked, paginated, validated, validated_query
from .courses import UserOutputSerializer

TAGS = ["discussions"]


class DiscussionOutputSerializer(FastOutputMixin, serializers.ModelSerializer[Discussion]):
    author = UserOutputSerializer(read_only=True, allow_null=True)
    body_html = serializers.CharField(read_only=True, help_text="Sanitized HTML of the body.")
    is_deleted = serializers.BooleanField(read_only=True)
    vote_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    has_answer = serializers.BooleanField(read_only=True)
    my_vote = serializers.BooleanField(read_only=True, help_text="You upvoted it.")

    class Meta:
        model = Discussion
        fields = (
            "id",
            "course_id",
            "author",
            "title",
            "body",
            "body_html",
            "is_pinned",
            "is_locked",
            "is_deleted",
            "vote_count",
            "comment_count",
            "has_answer",
            "my_vote",
            "created_at",
            "edited_at",
            "last_activity_at",
        )
        read_only_fields = fields


class CommentOutputSerializer(FastOutputMixin, serializers.ModelSerializer[Comment]):
    author = UserOutputSerializer(read_only=True, allow_null=True)
    body_html = serializers.CharField(read_only=True, help_text="Sanitized HTML of the body.")
    is_deleted = serializers.BooleanField(read_only=True)
    vote_count = serializers.IntegerField(read_only=True, default=0)
    my_vote = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Comment
        fields = (
            "id",
            "discussion_id",
            "parent_id",
            "author",
            "body",
            "body_html",
            "is_answer",
            "is_deleted",
            "vote_count",
            "my_vote",
            "created_at",
            "edited_at",
        )
        read_only_fields = fields


class VoteOutputSerializer(serializers.Serializer[Any]):
    upvoted = serializers.BooleanField(help_text="You now upvote the post.")


class DiscussionListApi(APIView):
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer[Any]):
        course = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        q = serializers.CharField(required=False, max_length=200, help_text="Search text.")
        sort = serializers.ChoiceField(choices=selectors.SORTS, default=selectors.SORT_NEWEST)

    @extend_schema(
        operation_id="discussion_list",
        summary="List discussions of my courses",
        description="Pinned first, then by latest activity (`sort=newest`) or upvotes.",
        parameters=[FilterSerializer],
        responses=DiscussionOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = validated_query(self.FilterSerializer, request)
        discussions = selectors.discussion_list(
            user=request_user(request),
            course_id=filters.get("course"),
            query=filters.get("q", ""),
            sort=filters["sort"],
        )
        return paginated(self, request, discussions, DiscussionOutputSerializer)


class DiscussionDetailApi(APIView):
    @extend_schema(
        operation_id="discussion_detail",
        summary="Get a discussion",
        responses=DiscussionOutputSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, discussion_id: int) -> Response:
        user = request_user(request)
        # One query: the discussion, its counts and the viewer's membership (as access_discussion).
        discussion = selectors.discussion_get(user=user, discussion_id=discussion_id)
        if discussion is None or not access.discussions.can_view_discussion(
            user=user, discussion=discussion
        ):
            raise Http404
        return Response(DiscussionOutputSerializer(discussion).data)


class DiscussionCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=200)
        body = serializers.CharField(help_text="Markdown.")

    @extend_schema(
        operation_id="discussion_create",
        summary="Start a discussion in a course (its members)",
        description="The course's other members are notified.",
        request=InputSerializer,
        responses={201: DiscussionOutputSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course(user=user, course_id=course_id)
        if not access.discussions.can_start_discussion(user=user, course=course):
            raise exceptions.PermissionDenied
        data = validated(self.InputSerializer, request.data)
        form = form_checked(DiscussionForm(data=data))
        discussion = services.discussion_create(
            course=course,
            author=user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        created = selectors.discussion_get(user=user, discussion_id=discussion.pk)
        return Response(DiscussionOutputSerializer(created).data, status=status.HTTP_201_CREATED)


class CommentListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="comment_list",
        summary="List a discussion's comments",
        description="Threads in order: each top-level comment followed by its replies; the "
        "accepted answer's thread first.",
        responses=CommentOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, discussion_id: int) -> Response:
        user = request_user(request)
        discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
        posts = selectors.comment_tree_posts(
            selectors.comment_tree(user=user, discussion=discussion)
        )
        return paginated(self, request, posts, CommentOutputSerializer)


class CommentCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        body = serializers.CharField(help_text="Markdown.")
        parent_id = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_ID,
            help_text="Reply to this comment of the discussion.",
        )

    @extend_schema(
        operation_id="comment_create",
        summary="Comment on a discussion",
        description="Members comment until the discussion is locked (its teacher still may).",
        request=InputSerializer,
        responses={201: CommentOutputSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, discussion_id: int) -> Response:
        user = request_user(request)
        discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
        if not access.discussions.can_comment(user=user, discussion=discussion):
            raise exceptions.PermissionDenied
        data = validated(self.InputSerializer, request.data)
        form = form_checked(CommentForm(data=data))
        parent = None
        if form.cleaned_data["parent_id"]:
            parent = Comment.objects.filter(
                pk=form.cleaned_data["parent_id"], discussion_id=discussion.pk
            ).first()
            if parent is None:
                raise exceptions.ValidationError({"parent_id": [_("No such comment here.")]})
        comment = services.comment_create(
            discussion=discussion, author=user, body=form.cleaned_data["body"], parent=parent
        )
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class DiscussionVoteApi(APIView):
    @extend_schema(
        operation_id="discussion_vote",
        summary="Upvote a discussion, or take the upvote back",
        request=None,
        responses=VoteOutputSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, discussion_id: int) -> Response:
        user = request_user(request)
        discussion = access.discussions.access_discussion(user=user, discussion_id=discussion_id)
        if not access.discussions.can_upvote(user=user, discussion=discussion):
            raise exceptions.PermissionDenied
        upvoted = services.vote_toggle(user=user, discussion=discussion)
        return Response({"upvoted": upvoted})


class CommentVoteApi(APIView):
    @extend_schema(
        operation_id="comment_vote",
        summary="Upvote a comment, or take the upvote back",
        request=None,
        responses=VoteOutputSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, comment_id: int) -> Response:
        user = request_user(request)
        comment = access.discussions.access_comment(user=user, comment_id=comment_id)
        if comment.is_deleted:
            raise Http404
        if not access.discussions.can_upvote(user=user, discussion=comment.discussion):
            raise exceptions.PermissionDenied
        upvoted = services.vote_toggle(user=user, comment=comment)
        return Response({"upvoted": upvoted})
