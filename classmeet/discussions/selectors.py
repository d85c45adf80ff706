"""Read discussions. Counts come from correlated subqueries, so every page runs a fixed number of
queries whatever the number of posts, comments and votes."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from classmeet.accounts.models import User
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.core.batch import Planned, batched_raw
from classmeet.courses.models import Course, Enrollment
from classmeet.courses.selectors import course_visible_q

from .models import Comment, Discussion, Vote

SORT_NEWEST = "newest"
SORT_VOTES = "votes"
SORTS = (SORT_NEWEST, SORT_VOTES)


def discussion_visible_q(*, user: AnyUser, prefix: str = "") -> Q:
    """Return a filter that keeps the discussions of the courses the user teaches or attends.

    Filters through a subquery on courses, so the result never has duplicate rows.
    """
    if not is_authenticated(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}course__in": Course.objects.filter(course_visible_q(user=user))})


def _count(qs: QuerySet[Vote] | QuerySet[Comment], target: str) -> Coalesce:
    """Return a subquery counting the rows of qs whose `target` is the outer row."""
    counted = (
        qs.filter(**{target: OuterRef("pk")})
        .order_by()
        .values(target)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# The same for every user: built once, as annotate() works on copies of them.
_COUNTS = {
    "vote_count": _count(Vote.objects.filter(is_active=True), "discussion"),
    "comment_count": _count(Comment.objects.filter(deleted_at__isnull=True), "discussion"),
    "has_answer": Exists(Comment.objects.filter(discussion=OuterRef("pk"), is_answer=True)),
}

_COMMENT_VOTES = _count(Vote.objects.filter(is_active=True), "comment")


def _with_counts(qs: QuerySet[Discussion], *, user: User) -> QuerySet[Discussion]:
    return qs.annotate(
        **_COUNTS,
        my_vote=Exists(
            Vote.objects.filter(discussion=OuterRef("pk"), user_id=user.pk, is_active=True)
        ),
    )


def discussion_list(
    *,
    user: User,
    course_id: int | None = None,
    query: str = "",
    sort: str = SORT_NEWEST,
) -> QuerySet[Discussion]:
    """Return the discussions of the user's courses: pinned first, then by newest activity or votes.

    Deleted discussions stay listed (their thread stays readable) but show no body.
    """
    qs = Discussion.objects.filter(discussion_visible_q(user=user)).select_related(
        "course", "author"
    )
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(title__icontains=query) | Q(body__icontains=query, deleted_at__isnull=True)
        )
    qs = _with_counts(qs, user=user)
    if sort == SORT_VOTES:
        return qs.order_by("-is_pinned", "-vote_count", "-last_activity_at", "-id")
    return qs.order_by("-is_pinned", "-last_activity_at", "-id")


# What a list row shows (discussions/_discussion_item.html): the bodies and the other columns of
# the course and the author stay in the database.
SUMMARY_FIELDS = (
    "id", "course_id", "author_id", "title", "is_pinned", "is_locked", "last_activity_at",
    "deleted_at", "course__id", "course__title", "author__id", "author__username",
    "author__first_name", "author__last_name",
)  # fmt: skip


def discussion_summary_list(
    *, user: User, course_id: int | None = None, query: str = "", sort: str = SORT_NEWEST
) -> QuerySet[Discussion]:
    """Return discussion_list() with only the columns a list row shows."""
    qs = discussion_list(user=user, course_id=course_id, query=query, sort=sort)
    return qs.only(*SUMMARY_FIELDS)


# `_COUNTS` written out, for the discussion `d` of a list (this page's and the course page's).
_COUNTS_SQL = (
    ' (SELECT COUNT(*) FROM "discussions_vote" v'
    '  WHERE v."discussion_id" = d."id" AND v."is_active") AS "vote_count",'
    ' (SELECT COUNT(*) FROM "discussions_comment" c'
    '  WHERE c."discussion_id" = d."id" AND c."deleted_at" IS NULL) AS "comment_count",'
    ' EXISTS (SELECT 1 FROM "discussions_comment" c'
    '  WHERE c."discussion_id" = d."id" AND c."is_answer") AS "has_answer",'
)
# The discussions page's rows written out, as the course page's below: the columns a row shows,
# the counts of `_with_counts` (less the viewer's vote, which the list does not show), the course
# title and the author's names. The viewer's courses are `course_visible_q`'s subquery, compiled
# once per page as a CTE: building the statements through the ORM cost more than running them.
_VISIBLE_CTE = 'WITH "visible" ("id") AS ({visible}) '
_LIST_SQL = (  # constant fragments only; "total_rows": the matching rows, before LIMIT/OFFSET
    'SELECT COUNT(*) OVER () AS "total_rows", d."id", d."course_id", d."author_id", d."title", d."is_pinned", d."is_locked",'  # noqa: S608
    ' d."last_activity_at", d."deleted_at",'
    f"{_COUNTS_SQL}"
    ' k."title" AS "course_title",'
    ' u."username" AS "author_username", u."first_name" AS "author_first_name",'
    ' u."last_name" AS "author_last_name"'
    ' FROM "discussions_discussion" d INNER JOIN "courses_course" k ON k."id" = d."course_id"'
    ' LEFT OUTER JOIN "accounts_user" u ON u."id" = d."author_id"'
)
# icontains as Django writes it on PostgreSQL; SQLite's UPPER, like its LIKE, folds ASCII only.
_SEARCH_SQL = (
    """ AND (UPPER(d."title") LIKE UPPER(%s) ESCAPE '\\'"""
    """ OR (UPPER(d."body") LIKE UPPER(%s) ESCAPE '\\' AND d."deleted_at" IS NULL))"""
)
_ORDER_SQL = {
    SORT_NEWEST: ' ORDER BY d."is_pinned" DESC, d."last_activity_at" DESC, d."id" DESC',
    SORT_VOTES: (
        ' ORDER BY d."is_pinned" DESC, "vote_count" DESC, d."last_activity_at" DESC, d."id" DESC'
    ),
}


def _visible_cte(user: User) -> tuple[str, list[Any]]:
    """The WITH clause naming the ids of the user's courses "visible", and its parameters.

    Compiled once per request: the page's two statements use it, kept on the request's user
    object (the statement is evaluated when run, so it never goes stale).
    """
    memo: dict[str, Any] = vars(user)
    if "_visible_cte" not in memo:
        visible, params = (
            Course.objects.filter(course_visible_q(user=user)).values("pk").query.sql_with_params()
        )
        memo["_visible_cte"] = (_VISIBLE_CTE.format(visible=visible), tuple(params))
    cte, params = memo["_visible_cte"]
    return cte, list(params)


class DiscussionPageRows:
    """The discussions of `discussion_summary_list` for the discussions page, as the paginator
    reads them: `count()`, and a slice per page, one statement each."""

    def __init__(
        self, *, user: User, course_id: int | None = None, query: str = "", sort: str = SORT_NEWEST
    ) -> None:
        cte, params = _visible_cte(user)
        where = ' WHERE d."course_id" IN (SELECT "id" FROM "visible")'
        if course_id is not None:
            where += ' AND d."course_id" = %s'
            params.append(course_id)
        query = query.strip()
        if query:
            where += _SEARCH_SQL
            pattern = f"%{connection.ops.prep_for_like_query(query)}%"
            params += [pattern, pattern]
        self._cte, self._where, self._params = cte, where, params
        self._order = _ORDER_SQL.get(sort, _ORDER_SQL[SORT_NEWEST])
        # Known once a slice was read: the page's own statement counts too (no COUNT query when
        # the first page was read first, as page_of does), so the page costs as many queries
        # whatever the number of discussions.
        self._total: int | None = None

    def count(self) -> int:
        if self._total is not None:
            return self._total
        # Constant fragments only: every value is a parameter.
        sql = f'{self._cte}SELECT COUNT(*) FROM "discussions_discussion" d{self._where}'  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, self._params)
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Discussion]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, rows: int) -> Discussion: ...
    @overload
    def __getitem__(self, rows: slice) -> list[Discussion]: ...
    def __getitem__(self, rows: int | slice) -> Discussion | list[Discussion]:
        if isinstance(rows, int):
            return self[rows : rows + 1][0]
        start = rows.start or 0
        if rows.stop is None or rows.step is not None or start < 0 or rows.stop < start:
            raise TypeError("only a slice [start:stop] of discussions is read")
        sql = f"{self._cte}{_LIST_SQL}{self._where}{self._order} LIMIT %s OFFSET %s"
        params = [*self._params, rows.stop - start, start]
        discussions = list(Discussion.objects.raw(sql, params))
        if discussions:
            self._total = int(vars(discussions[0])["total_rows"])
        elif start == 0:
            self._total = 0
        db = Discussion.objects.db
        courses: dict[int, Course] = {}
        for d in discussions:
            joined = vars(d)  # the course's and author's columns, attributes since raw()
            course = courses.get(d.course_id)
            if course is None:
                course = Course.from_db(db, ["id", "title"], [d.course_id, joined["course_title"]])
                courses[d.course_id] = course
            d.course = course
            names = [joined["author_username"], joined["author_first_name"]]
            names.append(joined["author_last_name"])
            d.author = (
                User.from_db(db, _AUTHOR_FIELDS, [d.author_id, *names]) if d.author_id else None
            )
        return discussions


# The course page's latest discussions in one written-out statement: the columns the list shows
# (`_discussion_item.html`), the same counts as `_with_counts` and the author's names. Building it
# through the ORM cost the page several times the query itself. Portable SQL (SQLite too).
_COURSE_PAGE_SQL = (  # constant fragments only
    'SELECT d."id", d."author_id", d."title", d."is_pinned", d."is_locked", d."deleted_at",'  # noqa: S608
    ' d."last_activity_at",'
    f"{_COUNTS_SQL}"
    ' u."username" AS "author_username", u."first_name" AS "author_first_name",'
    ' u."last_name" AS "author_last_name"'
    ' FROM "discussions_discussion" d LEFT OUTER JOIN "accounts_user" u ON u."id" = d."author_id"'
    ' WHERE d."course_id" = %s'
    ' ORDER BY d."is_pinned" DESC, d."last_activity_at" DESC, d."id" DESC LIMIT %s'
)
_AUTHOR_FIELDS = ["id", "username", "first_name", "last_name"]


def course_discussion_list_plan(*, course: Course, limit: int = 10) -> Planned[list[Discussion]]:
    """Plan `course_discussion_list`'s read, to run with the course page's other sections."""
    return Planned(
        batched_raw(Discussion, _COURSE_PAGE_SQL, [course.pk, limit]), _with_author_names
    )


def _with_author_names(discussions: list[Discussion]) -> list[Discussion]:
    db = Discussion.objects.db
    for d in discussions:
        names = [d.author_username, d.author_first_name, d.author_last_name]  # type: ignore[attr-defined]
        d.author = User.from_db(db, _AUTHOR_FIELDS, [d.author_id, *names]) if d.author_id else None
    return discussions


def course_discussion_list(*, course: Course, limit: int = 10) -> list[Discussion]:
    """Return the latest discussions of one course, for the course page's discussions tab.

    The caller has already checked that the user sees the course. Pinned first, then by newest
    activity, as `discussion_list`; each carries its author (names only) or None.
    """
    return course_discussion_list_plan(course=course, limit=limit).result()


def discussion_course_choices(*, user: User) -> list[Course]:
    """Return the courses the user may filter by and start discussions in (id and title)."""
    cte, params = _visible_cte(user)
    sql = (
        f'{cte}SELECT "id", "title" FROM "courses_course"'  # noqa: S608  # constant fragments
        ' WHERE "id" IN (SELECT "id" FROM "visible") ORDER BY "title", "id"'
    )
    return list(Course.objects.raw(sql, params))


def discussion_get(*, user: User, discussion_id: int) -> Discussion | None:
    """Return one discussion with its counts, or None; the caller checks access to it.

    Its course carries whether the user is enrolled (`enrolled_viewer`), so the access rules
    asked about it on this page run no query.
    """
    mine = Enrollment.objects.filter(course_id=OuterRef("course_id"), student_id=user.pk)
    discussion = (
        _with_counts(Discussion.objects.filter(pk=discussion_id), user=user)
        .annotate(viewer_is_enrolled=Exists(mine))
        .select_related("course", "course__teacher", "author")
        .first()
    )
    if discussion is not None and user.pk is not None:
        discussion.course.enrolled_viewer = (user.pk, bool(discussion.viewer_is_enrolled))
    return discussion


@dataclass
class CommentNode:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def comment_tree(*, user: User, discussion: Discussion) -> list[CommentNode]:
    """Return the discussion's top-level comments with their replies, in one query.

    The accepted answer comes first; each comment carries vote_count and my_vote.
    """
    comments = list(
        Comment.objects.filter(discussion_id=discussion.pk)
        .select_related("author")
        .annotate(
            vote_count=_COMMENT_VOTES,
            my_vote=Exists(
                Vote.objects.filter(comment=OuterRef("pk"), user_id=user.pk, is_active=True)
            ),
        )
        .order_by("created_at", "id")
    )
    nodes: dict[int, CommentNode] = {}
    for comment in comments:
        if comment.parent_id is None:
            nodes[comment.pk] = CommentNode(comment=comment)
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(comment)
    return sorted(nodes.values(), key=lambda node: not node.comment.is_answer)


def discussion_participant_ids(*, discussion: Discussion) -> set[int]:
    """Return the ids of the discussion's author and of everyone who commented on it."""
    ids = set(
        Comment.objects.filter(discussion_id=discussion.pk, author_id__isnull=False)
        .values_list("author_id", flat=True)
        .distinct()
    )
    if discussion.author_id is not None:
        ids.add(discussion.author_id)
    return ids


def comment_tree_posts(nodes: list[CommentNode]) -> list[Comment]:
    """Flatten a comment tree: each top-level comment followed by its replies."""
    return [post for node in nodes for post in (node.comment, *node.replies)]
