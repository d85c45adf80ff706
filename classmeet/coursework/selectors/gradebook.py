"""Reads of the gradebook: a course's students by its graded columns, with totals; a student's own
released grades; the course's grade categories.

The gradebook reads items and grades, never each kind of item: a live quiz or attendance column
appears as soon as it has a published item with points.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DecimalField, F, Q, QuerySet, Value
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course

from ..models import AssignmentStudent, Grade, GradeCategory, GradeItem, Submission
from .assignments import assigned_to_q

TENTH = Decimal("0.1")
CENT = Decimal("0.01")
STUDENT_ORDER = ("last_name", "first_name", "username")


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def course_students(*, course: Course) -> QuerySet[User]:
    """The course's enrolled students, by name, with only what a gradebook row shows."""
    return (
        User.objects.filter(enrollments__course_id=course.pk)
        .only("pk", "username", "first_name", "last_name", "email")
        .order_by(*STUDENT_ORDER)
    )


def gradebook_items(*, course: Course) -> QuerySet[GradeItem]:
    """The gradebook's columns: published items with points, in date order, each with the id of
    the assignment or quiz it belongs to (None for other kinds)."""
    return (
        GradeItem.objects.filter(course_id=course.pk, is_published=True, max_points__isnull=False)
        .annotate(assignment_ref=F("assignment__id"), quiz_ref=F("quiz__id"))
        .order_by(F("dated_at").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class Total:
    """A student's total over the cells that have a score (an empty cell counts for nothing,
    a zero counts as zero)."""

    points: Decimal
    max_points: Decimal
    weighted: Decimal | None  # percent; None without categories or without a graded category

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.points, self.max_points)


@dataclass(frozen=True)
class GradebookRow:
    student: User
    cells: list[Decimal | None]  # points per column, None: no score
    total: Total
    # Columns of assignments given to other students only: not this student's to do or grade.
    not_assigned: frozenset[int] = frozenset()
    # Columns scored 0 because the student was absent (a live quiz not answered).
    absent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Gradebook:
    items: list[GradeItem]
    categories: list[GradeCategory]
    rows: list[GradebookRow]

    @property
    def is_weighted(self) -> bool:
        return bool(self.categories)


# What a total needs of a column, read off the item once: its points and the weighted category
# it counts in (None: in none, or the course has no categories).
Column = tuple[Decimal, int | None]


def _total(
    cells: list[Decimal | None], columns: list[Column], weights: dict[int, Decimal]
) -> Total:
    # The CSV runs this for 1,000 students x 50 items: plain loops over prepared tuples.
    points = maximum = Decimal(0)
    by_category: dict[int, list[Decimal]] = {}
    for score, (out_of, category_id) in zip(cells, columns, strict=True):
        if score is None:
            continue
        points += score
        maximum += out_of
        if category_id is not None:
            sums = by_category.get(category_id)
            if sums is None:
                by_category[category_id] = [score, out_of]
            else:
                sums[0] += score
                sums[1] += out_of
    weighted = None
    if weights:
        weight_sum = ratio_sum = Decimal(0)
        for category_id, (got, out_of) in by_category.items():
            if out_of > 0:
                weight_sum += weights[category_id]
                ratio_sum += weights[category_id] * got / out_of
        if weight_sum > 0:
            weighted = _percent(ratio_sum, weight_sum)
    return Total(points=points, max_points=maximum, weighted=weighted)


def gradebook_get(*, course: Course) -> Gradebook:
    """Every enrolled student by every column, with each student's totals: points over the
    points of the scored cells and, when the course has categories, the weighted percentage
    (the sum of each category's weight times its ratio, over the categories with a scored cell,
    divided by the sum of their weights; items in no category do not count there). Four
    queries, whatever the size."""
    students = list(course_students(course=course))
    items = list(gradebook_items(course=course))
    categories = list(GradeCategory.objects.filter(course_id=course.pk))
    weights = {c.pk: c.weight for c in categories}
    item_ids = [item.pk for item in items]
    columns: list[Column] = [
        (item.max_points or Decimal(0), item.category_id if item.category_id in weights else None)
        for item in items
    ]
    scores: dict[int, dict[int, Decimal]] = defaultdict(dict)
    # Assignments given to some students only: who they are, per column. One statement with the
    # scores (UNION ALL), so the page stays at its query count.
    given: dict[int, set[int]] = defaultdict(set)
    absent: dict[int, set[int]] = defaultdict(set)
    if items and students:
        graded = (
            Grade.objects.filter(item_id__in=item_ids, points__isnull=False)
            .order_by()  # any order: a sort of every cell is wasted work
            .values_list("student_id", "item_id", "points", Value(False), "is_absent")
        )
        assigned = (
            AssignmentStudent.objects.filter(assignment__grade_item_id__in=item_ids)
            .order_by()
            .values_list(
                "student_id",
                "assignment__grade_item_id",
                Value(None, output_field=DecimalField(max_digits=7, decimal_places=2)),
                Value(True),
                Value(False),
            )
        )
        for student_id, item_id, points, is_assignee, is_absent in graded.union(assigned, all=True):
            if is_assignee:
                given[item_id].add(student_id)
            elif points is not None:
                scores[student_id][item_id] = points
                if is_absent:
                    absent[student_id].add(item_id)
    given_columns = [
        (index, given[item_id]) for index, item_id in enumerate(item_ids) if item_id in given
    ]
    book_rows = []
    empty: dict[int, Decimal] = {}
    for student in students:
        mine = scores.get(student.id, empty)
        cells = [mine.get(item_id) for item_id in item_ids]
        total = _total(cells, columns, weights)
        not_assigned = frozenset(i for i, who in given_columns if student.id not in who)
        away = absent.get(student.id)
        book_rows.append(
            GradebookRow(
                student=student,
                cells=cells,
                total=total,
                not_assigned=not_assigned,
                absent=frozenset(i for i, item_id in enumerate(item_ids) if item_id in away)
                if away
                else frozenset(),
            )
        )
    return Gradebook(items=items, categories=categories, rows=book_rows)


# A student's own grades --------------------------------------------------------------------


@dataclass(frozen=True)
class MyGrade:
    item: GradeItem
    grade: Grade | None
    class_average: Decimal | None  # points; only when the item shows it
    submission: Submission | None  # the student's, for a returned file


def my_grades(*, course: Course, student: User, now: datetime | None = None) -> list[MyGrade]:
    """The student's grades on the course's released items (an assignment's only if it is for
    them), newest column last, with the class average where the teacher shows it and the work
    returned. At most four queries."""
    now = now or timezone.now()
    items = list(
        GradeItem.objects.filter(course_id=course.pk, is_published=True, released_at__lte=now)
        .filter(assigned_to_q(student_id=student.pk, prefix="assignment__"))
        .order_by(F("dated_at").asc(nulls_last=True), "id")
    )
    if not items:
        return []
    ids = [i.pk for i in items]
    grades = {g.item_id: g for g in Grade.objects.filter(item_id__in=ids, student_id=student.pk)}
    averaged = [i.pk for i in items if i.show_class_average and i.max_points is not None]
    averages: dict[int, Decimal] = {}
    if averaged:
        averages = {
            row["item_id"]: row["average"]
            for row in Grade.objects.filter(item_id__in=averaged, points__isnull=False)
            .values("item_id")
            .annotate(average=Avg("points"))
        }
    submissions = {
        s.assignment.grade_item_id: s
        for s in Submission.objects.filter(assignment__grade_item_id__in=ids, student_id=student.pk)
        .exclude(returned_file="")
        .select_related("assignment")
    }
    return [
        MyGrade(
            item=item,
            grade=grades.get(item.pk),
            class_average=(
                None
                if averages.get(item.pk) is None
                # SQLite's AVG is a float: through str, never Decimal(float) noise.
                else Decimal(str(averages[item.pk])).quantize(CENT, rounding=ROUND_HALF_UP)
            ),
            submission=submissions.get(item.pk),
        )
        for item in items
    ]


# Categories --------------------------------------------------------------------------------


def grade_category_list(*, course: Course) -> QuerySet[GradeCategory]:
    return GradeCategory.objects.filter(course_id=course.pk).annotate(
        item_count=Count("items", filter=Q(items__max_points__isnull=False))
    )


def grade_category_get(*, course: Course, category_id: int) -> GradeCategory | None:
    return GradeCategory.objects.filter(course_id=course.pk, pk=category_id).first()


def course_grade_items(*, course: Course) -> QuerySet[GradeItem]:
    """Every item of the course (drafts too), for putting them in categories."""
    return (
        GradeItem.objects.filter(course_id=course.pk)
        .select_related("category")
        .order_by(F("dated_at").asc(nulls_last=True), "id")
    )


def grade_item_get(*, course: Course, item_id: int) -> GradeItem | None:
    return GradeItem.objects.filter(course_id=course.pk, pk=item_id).first()
