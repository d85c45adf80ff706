"""Quiz pages: a course's quizzes, the staff editor, the student's take page and results, and
staff results per quiz and per student. Thin: access (classmeet.access.coursework), one service
or selector, a template."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.courses.models import Course

from ..forms.quizzes import QuestionForm, QuizForm, ScoreOverrideForm
from ..models import Question, Quiz, QuizAttempt
from ..selectors import quizzes as selectors
from ..services import quizzes as services

# Ids past PostgreSQL's bigint are no row (404), not a driver error.
MAX_ID = 2**63 - 1


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _int(raw: str | None) -> int | None:
    if raw is None or not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_ID:
        return None
    return int(raw)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"coursework/{template}", {"nav": "courses", **context}, status=status)


# A course's quizzes ----------------------------------------------------------------------------


@login_required
@require_GET
def quiz_list(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    staff = access.coursework.can_manage_coursework(user=user, course=course)
    quizzes = selectors.quiz_list(course=course, staff=staff, student_id=None if staff else user.pk)
    return _page(
        request,
        "quiz_list.html",
        {"course": course, "quizzes": quizzes, "can_manage": staff, "now": timezone.now()},
    )


# The staff editor ------------------------------------------------------------------------------


def _staff_course(request: HttpRequest, course_id: int) -> Course:
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    if not access.coursework.can_manage_coursework(user=user, course=course):
        raise PermissionDenied
    return course


@login_required
@require_http_methods(["GET", "POST"])
def quiz_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _staff_course(request, course_id)
    form = QuizForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = services.quiz_create(
                course=course, created_by=request_user(request), **form.quiz_fields()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Quiz created. Now add its questions."))
            return redirect("coursework:quiz-edit", quiz_id=quiz.pk)
    return _page(
        request,
        "quiz_form.html",
        {"course": course, "form": form, "quiz": None},
        status=400 if form.errors else 200,
    )


def _editor(request: HttpRequest, quiz: Quiz, form: QuizForm, status: int = 200) -> HttpResponse:
    return _page(
        request,
        "quiz_form.html",
        {
            "course": quiz.course,
            "quiz": quiz,
            "form": form,
            "questions": selectors.quiz_questions(quiz=quiz),
            "attempted": quiz.attempts.exists(),
        },
        status=status,
    )


def _refused(request: HttpRequest, quiz: Quiz, error: ValidationError) -> HttpResponse:
    """The editor again, saying why the action was refused (400)."""
    for message in error.messages:
        messages.error(request, message)
    return _editor(request, quiz, QuizForm(initial=QuizForm.initial_for(quiz)), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
    if request.method != "POST":
        return _editor(request, quiz, QuizForm(initial=QuizForm.initial_for(quiz)))
    form = QuizForm(request.POST)
    if form.is_valid():
        try:
            services.quiz_update(quiz=quiz, **form.quiz_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Quiz saved."))
            return redirect("coursework:quiz-edit", quiz_id=quiz.pk)
    quiz.refresh_from_db()
    return _editor(request, quiz, form, status=400)


@login_required
@require_POST
def quiz_publish(request: HttpRequest, quiz_id: int) -> HttpResponse:
    user = request_user(request)
    quiz = access.coursework.access_quiz_for_staff(user=user, quiz_id=quiz_id)
    try:
        services.quiz_publish(quiz=quiz, by=user)
    except ValidationError as error:
        return _refused(request, quiz, error)
    messages.success(request, _("Quiz published: the students were notified."))
    return redirect(quiz.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def quiz_delete(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
    if request.method == "POST":
        course_id = quiz.course_id
        services.quiz_delete(quiz=quiz)
        messages.success(request, _("Quiz deleted."))
        return redirect("coursework:quiz-list", course_id=course_id)
    return _page(
        request,
        "quiz_delete.html",
        {"quiz": quiz, "course": quiz.course, "attempts": quiz.attempts.count()},
    )


def _question(quiz: Quiz, question_id: int) -> Question:
    question = selectors.question_get(quiz=quiz, question_id=question_id)
    if question is None:
        raise Http404
    return question


@login_required
@require_http_methods(["GET", "POST"])
def quiz_question_form(
    request: HttpRequest, quiz_id: int, question_id: int | None = None
) -> HttpResponse:
    """Add a question (no id) or edit one."""
    quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
    question = None if question_id is None else _question(quiz, question_id)
    if request.method != "POST":
        initial = QuestionForm.initial_for(question) if question else {"kind": "single"}
        form = QuestionForm(initial=initial)
    else:
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                if question is None:
                    services.question_create(
                        course=quiz.course, quiz=quiz, **form.question_fields()
                    )
                else:
                    services.question_update(question=question, **form.question_fields())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Question saved."))
                return redirect("coursework:quiz-edit", quiz_id=quiz.pk)
    return _page(
        request,
        "quiz_question_form.html",
        {
            "quiz": quiz,
            "course": quiz.course,
            "question": question,
            "form": form,
            "attempted": quiz.attempts.exists(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def quiz_question_delete(request: HttpRequest, quiz_id: int, question_id: int) -> HttpResponse:
    quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
    try:
        services.question_delete(question=_question(quiz, question_id))
    except ValidationError as error:
        return _refused(request, quiz, error)
    messages.success(request, _("Question deleted."))
    return redirect("coursework:quiz-edit", quiz_id=quiz.pk)


@login_required
@require_POST
def quiz_question_move(request: HttpRequest, quiz_id: int, question_id: int) -> HttpResponse:
    quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
    services.question_move(
        question=_question(quiz, question_id), up=request.POST.get("direction") != "down"
    )
    return redirect(reverse("coursework:quiz-edit", kwargs={"quiz_id": quiz.pk}) + "#questions")


# Students: the quiz, the take page, results ----------------------------------------------------


@login_required
@require_GET
def quiz_detail(request: HttpRequest, quiz_id: int) -> HttpResponse:
    user = request_user(request)
    quiz = access.coursework.access_quiz(user=user, quiz_id=quiz_id)
    services.quiz_attempts_expire(quiz=quiz)
    now = timezone.now()
    can_manage = access.coursework.can_manage_quiz(user=user, quiz=quiz)
    can_take = access.coursework.can_take_quiz(user=user, quiz=quiz)
    state = selectors.student_quiz_state(quiz=quiz, student_id=user.pk) if can_take else None
    return _page(
        request,
        "quiz_detail.html",
        {
            "quiz": quiz,
            "course": quiz.course,
            "can_manage": can_manage,
            "can_take": can_take,
            "state": state,
            "is_open": quiz.is_open(now),
            "results_visible": selectors.results_visible(quiz=quiz, now=now),
            "question_count": quiz.questions.count(),
        },
    )


@login_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    user = request_user(request)
    quiz = access.coursework.access_quiz(user=user, quiz_id=quiz_id)
    if not access.coursework.can_take_quiz(user=user, quiz=quiz):
        raise PermissionDenied
    try:
        attempt = services.attempt_start(quiz=quiz, student=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        state = selectors.student_quiz_state(quiz=quiz, student_id=user.pk)
        return _page(
            request,
            "quiz_detail.html",
            {
                "quiz": quiz,
                "course": quiz.course,
                "can_take": True,
                "state": state,
                "is_open": quiz.is_open(),
                "results_visible": selectors.results_visible(quiz=quiz),
                "question_count": quiz.questions.count(),
            },
            status=409,
        )
    return redirect("coursework:quiz-attempt", attempt_id=attempt.pk)


def _attempt_page(
    request: HttpRequest,
    attempt: QuizAttempt,
    *,
    errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    quiz = attempt.quiz
    rows = selectors.attempt_questions(attempt=attempt)
    open_ = attempt.submitted_at is None
    for row in rows:
        row.errors = (errors or {}).get(row.question.pk, [])
    return _page(
        request,
        "quiz_attempt.html",
        {
            "quiz": quiz,
            "course": quiz.course,
            "attempt": attempt,
            "rows": rows,
            "is_open": open_,
            "results_visible": not open_ and selectors.results_visible(quiz=quiz, now=now),
            "answers_visible": not open_ and selectors.answers_visible(quiz=quiz, now=now),
            "deadline_iso": attempt.deadline_at.isoformat(),
            "server_now_iso": now.isoformat(),
        },
        status=status,
    )


@login_required
@require_GET
def quiz_attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = access.coursework.access_quiz_attempt(
        user=request_user(request), attempt_id=attempt_id
    )
    services.quiz_attempts_expire(quiz=attempt.quiz, student=attempt.student)
    if attempt.submitted_at is None:
        attempt.refresh_from_db(fields=("submitted_at", "score"))
    return _attempt_page(request, attempt)


@login_required
@require_POST
def quiz_answer(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Save one question's answer (a form per question; works without JavaScript)."""
    attempt = access.coursework.access_quiz_attempt(
        user=request_user(request), attempt_id=attempt_id
    )
    question_id = _int(request.POST.get("question"))
    choice_ids = [_int(raw) for raw in request.POST.getlist("choice")]
    try:
        if question_id is None:
            raise ValidationError(_("This question is not part of the quiz."), code="question")
        if None in choice_ids:
            raise ValidationError(_("That option does not belong to this question."))
        services.answer_save(
            attempt=attempt,
            question_id=question_id,
            choice_ids=[c for c in choice_ids if c is not None],
            number=request.POST.get("number"),
        )
    except ValidationError as error:
        attempt.refresh_from_db(fields=("submitted_at", "score"))
        closed = error.code in ("deadline", "submitted")
        if closed:
            messages.error(request, " ".join(error.messages))
        return _attempt_page(
            request,
            attempt,
            errors=None if closed else {question_id or 0: error.messages},
            status=409 if closed else 400,
        )
    messages.success(request, _("Answer saved."))
    url = reverse("coursework:quiz-attempt", kwargs={"attempt_id": attempt.pk})
    return redirect(f"{url}#question-{question_id}")


@login_required
@require_POST
def quiz_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = access.coursework.access_quiz_attempt(
        user=request_user(request), attempt_id=attempt_id
    )
    services.attempt_submit(attempt=attempt)
    messages.success(request, _("Quiz submitted."))
    return redirect("coursework:quiz-attempt", attempt_id=attempt.pk)


# Staff results ---------------------------------------------------------------------------------


@login_required
@require_GET
def quiz_results(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
    services.quiz_attempts_expire(quiz=quiz)
    return _page(
        request,
        "quiz_results.html",
        {"quiz": quiz, "course": quiz.course, "rows": selectors.quiz_results(quiz=quiz)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiz_student(request: HttpRequest, quiz_id: int, student_id: int) -> HttpResponse:
    """One student's attempts with every answer, and the override of their score."""
    user = request_user(request)
    quiz, student = access.coursework.access_quiz_student(
        user=user, quiz_id=quiz_id, student_id=student_id
    )
    services.quiz_attempts_expire(quiz=quiz, student=student)
    state = selectors.student_quiz_state(quiz=quiz, student_id=student.pk)
    form = ScoreOverrideForm(
        request.POST or None,
        initial={"points": state.grade.points if state.grade else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quiz_score_override(
                quiz=quiz,
                student=student,
                points=form.cleaned_data["points"],
                by=user,
                feedback=form.cleaned_data["feedback"] or None,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Score saved."))
            return redirect("coursework:quiz-student", quiz_id=quiz.pk, student_id=student.pk)
    changes = selectors.grade_change_list(grade=state.grade) if state.grade else []
    return _page(
        request,
        "quiz_student.html",
        {
            "quiz": quiz,
            "course": quiz.course,
            "student": student,
            "state": state,
            "attempts": selectors.student_attempts_with_answers(quiz=quiz, student_id=student.pk),
            "form": form,
            "changes": changes,
        },
        status=400 if form.errors else 200,
    )
