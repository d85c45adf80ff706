"""The gradebook: a course's students by graded items for its staff (page and CSV), its grade
categories, and a student's own released grades.

Each view parses input, asks classmeet.access, and calls one service or selector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.core.links import id_url_for
from classmeet.core.spreadsheets import csv_streaming_response
from classmeet.courses.models import Course
from classmeet.discussions.rendering import render_markdown

from ..forms_grading import GradeCategoryForm, ItemCategoriesForm
from ..models import GradeCategory, GradeItem
from ..selectors import gradebook as selectors
from ..services import grades as services
from ..templatetags.grading import localize_points, points_plain

CellUrl = Callable[[int], str]


def _cell_urls(items: list[GradeItem]) -> list[CellUrl | None]:
    """Per column, the link of a student's cell: the grading page of an assignment, the quiz's
    page of the student; other kinds (a live quiz, attendance) have none."""
    urls: list[CellUrl | None] = []
    for item in items:
        assignment_id = getattr(item, "assignment_ref", None)
        quiz_id = getattr(item, "quiz_ref", None)
        url: CellUrl | None = None
        if assignment_id is not None:
            url = id_url_for(
                "coursework:grade-submission", "student_id", assignment_id=assignment_id
            )
        elif quiz_id is not None:
            url = id_url_for("coursework:quiz-student", "student_id", quiz_id=quiz_id)
        urls.append(url)
    return urls


def _gradebook_url(course: Course) -> str:
    return reverse("coursework:gradebook", kwargs={"course_id": course.pk})


@login_required
@require_GET
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    """Every enrolled student by every published item with points, with totals; staff only."""
    course = access.coursework.access_course_for_gradebook(
        user=request_user(request), course_id=course_id
    )
    book = selectors.gradebook_get(course=course)
    urls = _cell_urls(book.items)
    not_assigned = (_("n/a"), None)  # an assignment given to other students only
    absent = _("absent")  # 0 points: a live quiz the student did not answer
    separator = get_format("DECIMAL_SEPARATOR")
    rows = [
        (
            row,
            [
                not_assigned
                if index in row.not_assigned
                else (
                    absent
                    if index in row.absent
                    else localize_points(points_plain(points), separator),
                    None if url is None else url(row.student.pk),
                )
                for index, (points, url) in enumerate(zip(row.cells, urls, strict=True))
            ],
        )
        for row in book.rows
    ]
    return render(
        request,
        "coursework/gradebook.html",
        {"course": course, "book": book, "rows": rows},
    )


@login_required
@require_GET
def gradebook_csv(request: HttpRequest, course_id: int) -> StreamingHttpResponse:
    """The gradebook as CSV, one row per student, streamed."""
    course = access.coursework.access_course_for_gradebook(
        user=request_user(request), course_id=course_id
    )
    book = selectors.gradebook_get(course=course)
    header = [_("Username"), _("Name"), _("Email")]
    header += [f"{item.title} ({points_plain(item.max_points)})" for item in book.items]
    header += [_("Total"), _("Out of"), _("Total (%)")]
    if book.is_weighted:
        header.append(_("Weighted (%)"))

    # Scores repeat (0 to the item's points): each value is formatted once.
    texts: dict[Decimal | None, str] = {}

    def text(points: Decimal | None) -> str:
        found = texts.get(points)
        if found is None:
            found = texts[points] = points_plain(points)
        return found

    def rows() -> Iterator[list[object]]:
        for row in book.rows:
            student, total = row.student, row.total
            line: list[object] = [student.username, student.display_name, student.email]
            line += [
                "" if index in row.not_assigned else text(points)
                for index, points in enumerate(row.cells)
            ]
            line += [
                points_plain(total.points),
                points_plain(total.max_points),
                points_plain(total.percent),
            ]
            if book.is_weighted:
                line.append(points_plain(total.weighted))
            yield line

    return csv_streaming_response(
        filename=f"grades-{slugify(course.title) or 'course'}-{course.pk}.csv",
        header=header,
        rows=rows(),
    )


# Categories ----------------------------------------------------------------------------------


def _categories_url(course: Course) -> str:
    return reverse("coursework:grade-categories", kwargs={"course_id": course.pk})


def _categories_page(
    request: HttpRequest,
    course: Course,
    *,
    create_form: GradeCategoryForm | None = None,
    edit_forms: dict[int, GradeCategoryForm] | None = None,
    items_form: ItemCategoriesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    categories = list(selectors.grade_category_list(course=course))
    items = list(selectors.course_grade_items(course=course))
    edit_forms = edit_forms or {}
    rows = [
        (
            category,
            edit_forms.get(category.pk)
            or GradeCategoryForm(
                initial={"name": category.name, "weight": category.weight},
                prefix=f"category-{category.pk}",
            ),
        )
        for category in categories
    ]
    context = {
        "course": course,
        "rows": rows,
        "weight_total": sum((c.weight for c in categories), Decimal(0)),
        "create_form": create_form or GradeCategoryForm(),
        "items_form": items_form or ItemCategoriesForm(items=items, categories=categories),
    }
    return render(request, "coursework/gradebook_categories.html", context, status=status)


def _category_errors(form: GradeCategoryForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def grade_categories(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's weighted categories and which item counts in which; POST adds a category."""
    course = access.coursework.access_course_for_gradebook(
        user=request_user(request), course_id=course_id
    )
    if request.method != "POST":
        return _categories_page(request, course)
    form = GradeCategoryForm(request.POST)
    if form.is_valid():
        try:
            category = services.grade_category_create(
                course=course, name=form.cleaned_data["name"], weight=form.cleaned_data["weight"]
            )
        except ValidationError as error:
            _category_errors(form, error)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect(_categories_url(course))
    return _categories_page(request, course, create_form=form, status=400)


def _category(request: HttpRequest, course_id: int, category_id: int) -> GradeCategory:
    course = access.coursework.access_course_for_gradebook(
        user=request_user(request), course_id=course_id
    )
    category = selectors.grade_category_get(course=course, category_id=category_id)
    if category is None:
        raise Http404
    category.course = course
    return category


@login_required
@require_POST
def grade_category_edit(request: HttpRequest, course_id: int, category_id: int) -> HttpResponse:
    category = _category(request, course_id, category_id)
    form = GradeCategoryForm(request.POST, prefix=f"category-{category.pk}")
    if form.is_valid():
        try:
            services.grade_category_update(
                category=category,
                name=form.cleaned_data["name"],
                weight=form.cleaned_data["weight"],
            )
        except ValidationError as error:
            _category_errors(form, error)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
            return redirect(_categories_url(category.course))
    return _categories_page(request, category.course, edit_forms={category.pk: form}, status=400)


@login_required
@require_POST
def grade_category_delete(request: HttpRequest, course_id: int, category_id: int) -> HttpResponse:
    """Delete a category; its items stay in the gradebook, in no category."""
    category = _category(request, course_id, category_id)
    services.grade_category_delete(category=category)
    messages.success(request, _("Category “%(name)s” deleted.") % {"name": category.name})
    return redirect(_categories_url(category.course))


@login_required
@require_POST
def grade_item_categories(request: HttpRequest, course_id: int) -> HttpResponse:
    """Put each item of the course in a category (or none)."""
    course = access.coursework.access_course_for_gradebook(
        user=request_user(request), course_id=course_id
    )
    items = list(selectors.course_grade_items(course=course))
    categories = {c.pk: c for c in selectors.grade_category_list(course=course)}
    form = ItemCategoriesForm(request.POST, items=items, categories=list(categories.values()))
    if not form.is_valid():
        return _categories_page(request, course, items_form=form, status=400)
    for item in items:
        chosen = form.cleaned_data.get(form.field_name(item))
        if chosen != item.category_id:
            services.grade_item_category_set(
                item=item, category=None if chosen is None else categories[chosen]
            )
    messages.success(request, _("Categories saved."))
    return redirect(_categories_url(course))


# A student's grades --------------------------------------------------------------------------


@login_required
@require_GET
def my_grades(request: HttpRequest, course_id: int) -> HttpResponse:
    """A student's released grades with feedback, returned work and class averages; the course's
    staff go to the gradebook."""
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    if access.coursework.can_view_gradebook(user=user, course=course):
        return redirect(_gradebook_url(course))
    if not access.coursework.can_view_own_grades(user=user, course=course):
        raise PermissionDenied
    grades = selectors.my_grades(course=course, student=user)
    rows = [
        (
            row,
            render_markdown(row.grade.feedback)
            if row.grade is not None and row.grade.feedback
            else "",
        )
        for row in grades
    ]
    return render(request, "coursework/grades_mine.html", {"course": course, "rows": rows})
