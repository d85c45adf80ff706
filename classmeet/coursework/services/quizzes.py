"""Writing quizzes: authoring (quiz, questions, options), attempts, automatic grading, overrides.

A quiz owns its gradebook column (`GradeItem` of kind quiz) and keeps it in step: title, points
(the sum of its questions'), date (the close) and release. A question may also stand alone
(quiz None), prepared for the live class; the same validation applies to both.

The time limit is the server's: an answer later than the attempt's deadline plus
CLASSMEET_QUIZ_GRACE_SECONDS is refused, and an attempt past it is submitted with the answers
saved in time (on the next access, or by the `quiz_attempts_expire` task).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import Course, Enrollment
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

from ..models import Answer, Choice, Grade, GradeItem, Question, Quiz, QuizAttempt
from .grades import grade_record

MAX_OPTIONS = 10
MIN_OPTIONS = 2
# Grade points: 7 digits, two decimals (GradeItem.max_points, Question.points).
MAX_POINTS = Decimal("99999.99")
CENT = Decimal("0.01")
# Numeric answers: 20 digits, six decimals (Question.numeric_answer, Answer.numeric_value).
NUMERIC_PLACES = Decimal("0.000001")
NUMERIC_LIMIT = Decimal(10) ** 14


def grace() -> timedelta:
    """How long after its deadline an attempt still takes answers (network, a slow submit)."""
    return timedelta(seconds=settings.CLASSMEET_QUIZ_GRACE_SECONDS)


# Quizzes ---------------------------------------------------------------------------------------


def _validate_quiz(quiz: Quiz) -> None:
    if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
        raise ValidationError(
            {"closes_at": _("The quiz must close after it opens.")}, code="window"
        )
    quiz.full_clean(exclude=("grade_item", "course", "created_by"))


def _sync_item(quiz: Quiz) -> None:
    """Keep the quiz's gradebook column in step with the quiz."""
    item = quiz.grade_item
    item.title = quiz.title
    item.dated_at = quiz.closes_at
    item.is_published = quiz.is_published
    item.released_at = (
        quiz.published_at if quiz.release == Quiz.Release.IMMEDIATELY else quiz.closes_at
    )
    if not quiz.is_published:
        item.released_at = None
    item.save(update_fields=("title", "dated_at", "is_published", "released_at"))


def _sync_points(quiz: Quiz) -> None:
    """The column's points: the sum of the quiz's questions' points."""
    total = Question.objects.filter(quiz=quiz).aggregate(total=Coalesce(Sum("points"), Decimal(0)))[
        "total"
    ]
    GradeItem.objects.filter(pk=quiz.grade_item_id).update(max_points=total)
    quiz.grade_item.max_points = total


@transaction.atomic
def quiz_create(
    *,
    course: Course,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    time_limit_minutes: int | None = None,
    attempts_allowed: int = 1,
    scoring: str = Quiz.Scoring.BEST,
    shuffle_options: bool = False,
    release: str = Quiz.Release.IMMEDIATELY,
    created_by: User | None = None,
) -> Quiz:
    """Create a draft quiz with its (unpublished) gradebook column."""
    item = GradeItem(
        course=course,
        kind=GradeItem.Kind.QUIZ,
        title=title,
        max_points=Decimal(0),
        dated_at=closes_at,
        is_published=False,
    )
    quiz = Quiz(
        course=course,
        grade_item=item,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_minutes=time_limit_minutes,
        attempts_allowed=attempts_allowed,
        scoring=scoring,
        shuffle_options=shuffle_options,
        release=release,
        created_by=created_by,
    )
    _validate_quiz(quiz)
    item.save()
    quiz.grade_item = item
    quiz.save()
    _sync_item(quiz)
    return quiz


@transaction.atomic
def quiz_update(
    *,
    quiz: Quiz,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    time_limit_minutes: int | None = None,
    attempts_allowed: int = 1,
    scoring: str = Quiz.Scoring.BEST,
    shuffle_options: bool = False,
    release: str = Quiz.Release.IMMEDIATELY,
) -> Quiz:
    """Change the quiz's settings. A new time limit applies to attempts started later, an
    earlier close to the attempts in progress too; a new scoring rule regrades every student who
    submitted."""
    scoring_changed = scoring != quiz.scoring
    quiz.title = title
    quiz.description = description
    quiz.opens_at = opens_at
    quiz.closes_at = closes_at
    quiz.time_limit_minutes = time_limit_minutes
    quiz.attempts_allowed = attempts_allowed
    quiz.scoring = scoring
    quiz.shuffle_options = shuffle_options
    quiz.release = release
    _validate_quiz(quiz)
    quiz.save()
    _sync_item(quiz)
    # An earlier close ends the attempts in progress with it (never later than the window).
    QuizAttempt.objects.filter(
        quiz=quiz, submitted_at__isnull=True, deadline_at__gt=closes_at
    ).update(deadline_at=closes_at)
    if scoring_changed:
        student_ids = (
            QuizAttempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
            .values_list("student_id", flat=True)
            .distinct()
        )
        for student in User.objects.filter(pk__in=student_ids):
            _grade_from_attempts(quiz=quiz, student=student)
    return quiz


@transaction.atomic
def quiz_publish(*, quiz: Quiz, by: User | None = None) -> Quiz:
    """Publish the quiz (its column joins the gradebook) and tell the enrolled students."""
    if quiz.is_published:
        return quiz
    if not Question.objects.filter(quiz=quiz).exists():
        raise ValidationError(_("Add at least one question before publishing."), code="empty")
    quiz.status = Quiz.Status.PUBLISHED
    quiz.published_at = timezone.now()
    quiz.save(update_fields=("status", "published_at", "updated_at"))
    _sync_item(quiz)
    course = quiz.course
    student_ids = list(
        Enrollment.objects.filter(course=course).values_list("student_id", flat=True)
    )
    names = {"course": course.title, "title": quiz.title}
    url = quiz.get_absolute_url()
    transaction.on_commit(
        lambda: notifications_create(
            recipient_ids=student_ids,
            kind=Notification.Kind.QUIZ_PUBLISHED,
            title=lambda: _("New quiz in %(course)s: %(title)s") % names,
            url=url,
            actor=by,
            course=course,
        )
    )
    return quiz


@transaction.atomic
def quiz_delete(*, quiz: Quiz) -> None:
    """Delete the quiz with its questions, attempts and gradebook column (and its grades)."""
    GradeItem.objects.filter(pk=quiz.grade_item_id).delete()


# Questions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceInput:
    text: str
    is_correct: bool = False


def true_false_choices(*, answer: bool) -> list[ChoiceInput]:
    """The two options of a true/false question (True first), `answer` being the right one."""
    return [ChoiceInput(_("True"), answer), ChoiceInput(_("False"), not answer)]


def _has_attempts(quiz_id: int | None) -> bool:
    return quiz_id is not None and QuizAttempt.objects.filter(quiz_id=quiz_id).exists()


def _refuse_if_attempted(quiz_id: int | None) -> None:
    if _has_attempts(quiz_id):
        raise ValidationError(
            _(
                "Students have attempted this quiz already: its questions, options, right "
                "answers and points can no longer change (only texts can be corrected)."
            ),
            code="attempted",
        )


def _points(points: Decimal) -> Decimal:
    if not points.is_finite() or points < 0 or points > MAX_POINTS:
        raise ValidationError(
            {"points": _("Points must be between 0 and %(max)s.") % {"max": MAX_POINTS}},
            code="points_range",
        )
    if points != points.quantize(CENT):
        raise ValidationError({"points": _("Use at most two decimals.")}, code="points_precision")
    return points


def _numeric(value: Decimal | None, field: str, *, required: bool) -> Decimal | None:
    if value is None:
        if required:
            raise ValidationError({field: _("Enter a number.")}, code="required")
        return None
    if not value.is_finite() or abs(value) >= NUMERIC_LIMIT:
        raise ValidationError({field: _("Enter a finite number.")}, code="numeric_range")
    if value != value.quantize(NUMERIC_PLACES):
        raise ValidationError({field: _("Use at most six decimals.")}, code="numeric_precision")
    return value


def _clean_choices(kind: str, choices: Sequence[ChoiceInput]) -> list[ChoiceInput]:
    """The options a question of `kind` keeps, or a ValidationError saying what is wrong."""
    if kind == Question.Kind.NUMERIC:
        return []
    cleaned = [ChoiceInput(c.text.strip(), c.is_correct) for c in choices if c.text.strip()]
    if kind == Question.Kind.TRUE_FALSE:
        correct = [c.is_correct for c in cleaned]
        if len(cleaned) != 2 or correct.count(True) != 1:
            raise ValidationError(
                {"choices": _("A true/false question has the two options True and False.")},
                code="choices",
            )
        return true_false_choices(answer=correct[0])
    if len(cleaned) < MIN_OPTIONS:
        raise ValidationError(
            {"choices": _("Give at least %(min)d options.") % {"min": MIN_OPTIONS}},
            code="choices",
        )
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError(
            {"choices": _("Give at most %(max)d options.") % {"max": MAX_OPTIONS}},
            code="choices",
        )
    if any(len(c.text) > 500 for c in cleaned):
        raise ValidationError(
            {"choices": _("An option has at most 500 characters.")}, code="choices"
        )
    right = sum(c.is_correct for c in cleaned)
    if kind == Question.Kind.SINGLE and right != 1:
        raise ValidationError({"choices": _("Mark exactly one option as correct.")}, code="correct")
    if kind == Question.Kind.MULTIPLE and right < 1:
        raise ValidationError(
            {"choices": _("Mark at least one option as correct.")}, code="correct"
        )
    return cleaned


def _apply_question(
    question: Question,
    *,
    kind: str,
    text: str,
    points: Decimal,
    choices: Sequence[ChoiceInput],
    numeric_answer: Decimal | None,
    numeric_tolerance: Decimal,
) -> list[ChoiceInput]:
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Choose a question type.")}, code="kind")
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")}, code="required")
    numeric = kind == Question.Kind.NUMERIC
    question.kind = kind
    question.text = text
    question.points = _points(points)
    question.numeric_answer = _numeric(numeric_answer, "numeric_answer", required=numeric)
    tolerance = _numeric(numeric_tolerance, "numeric_tolerance", required=numeric)
    if tolerance is not None and tolerance < 0:
        raise ValidationError(
            {"numeric_tolerance": _("The tolerance cannot be negative.")}, code="numeric_range"
        )
    question.numeric_tolerance = tolerance if numeric and tolerance is not None else Decimal(0)
    if not numeric:
        question.numeric_answer = None
    return _clean_choices(kind, choices)


def _check_total(quiz: Quiz | None, *, without: int | None, adding: Decimal) -> None:
    if quiz is None:
        return
    others = Question.objects.filter(quiz=quiz).exclude(pk=without or 0)
    total = others.aggregate(total=Coalesce(Sum("points"), Decimal(0)))["total"] + adding
    if total > MAX_POINTS:
        raise ValidationError(
            {"points": _("A quiz has at most %(max)s points in all.") % {"max": MAX_POINTS}},
            code="points_range",
        )


@transaction.atomic
def question_create(
    *,
    course: Course,
    quiz: Quiz | None = None,
    kind: str,
    text: str,
    points: Decimal = Decimal(1),
    choices: Sequence[ChoiceInput] = (),
    numeric_answer: Decimal | None = None,
    numeric_tolerance: Decimal = Decimal(0),
) -> Question:
    """Add a question at the end of the quiz, or (quiz None) one prepared for the live class."""
    if quiz is not None:
        Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
        _refuse_if_attempted(quiz.pk)
    question = Question(course=course, quiz=quiz)
    cleaned = _apply_question(
        question,
        kind=kind,
        text=text,
        points=points,
        choices=choices,
        numeric_answer=numeric_answer,
        numeric_tolerance=numeric_tolerance,
    )
    _check_total(quiz, without=None, adding=question.points)
    last = Question.objects.filter(course=course, quiz=quiz).aggregate(last=Max("position"))
    question.position = (last["last"] or 0) + 1
    question.save()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=c.text, is_correct=c.is_correct)
        for i, c in enumerate(cleaned)
    )
    if quiz is not None:
        _sync_points(quiz)
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    kind: str,
    text: str,
    points: Decimal,
    choices: Sequence[ChoiceInput] = (),
    numeric_answer: Decimal | None = None,
    numeric_tolerance: Decimal = Decimal(0),
) -> Question:
    """Change a question and its options (kept in place: answers refer to their ids).

    Once its quiz has attempts, only the texts may change: a different type, option count,
    right answer or points would regrade answers already given.
    """
    if question.quiz_id is not None:
        Quiz.objects.select_for_update().filter(pk=question.quiz_id).first()
    before = (
        question.kind,
        question.points,
        question.numeric_answer,
        question.numeric_tolerance,
        [c.is_correct for c in question.choices.all()],
    )
    cleaned = _apply_question(
        question,
        kind=kind,
        text=text,
        points=points,
        choices=choices,
        numeric_answer=numeric_answer,
        numeric_tolerance=numeric_tolerance,
    )
    after = (
        question.kind,
        question.points,
        question.numeric_answer,
        question.numeric_tolerance,
        [c.is_correct for c in cleaned],
    )
    if before != after:
        _refuse_if_attempted(question.quiz_id)
    _check_total(question.quiz, without=question.pk, adding=question.points)
    question.save()
    existing = list(question.choices.all())
    for position, wanted in enumerate(cleaned):
        if position < len(existing):
            choice = existing[position]
            choice.text, choice.is_correct, choice.position = (
                wanted.text,
                wanted.is_correct,
                position,
            )
            choice.save(update_fields=("text", "is_correct", "position"))
        else:
            Choice.objects.create(
                question=question, position=position, text=wanted.text, is_correct=wanted.is_correct
            )
    Choice.objects.filter(pk__in=[c.pk for c in existing[len(cleaned) :]]).delete()
    if question.quiz is not None:
        _sync_points(question.quiz)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    quiz = question.quiz
    if quiz is not None:
        Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
        _refuse_if_attempted(quiz.pk)
    question.delete()
    if quiz is not None:
        _sync_points(quiz)


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Swap the question with its neighbour above (or below). Order is not structure: allowed
    with attempts too (an attempt keeps the order it started with)."""
    siblings = list(
        Question.objects.select_for_update()
        .filter(course_id=question.course_id, quiz=question.quiz)
        .order_by("position", "id")
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=("position",))


# Attempts --------------------------------------------------------------------------------------


def _layout(quiz: Quiz) -> dict[str, object]:
    """The order an attempt shows: its questions, and each one's options (shuffled if asked)."""
    questions = list(Question.objects.filter(quiz=quiz).order_by("position", "id").values("pk"))
    choices: dict[str, list[int]] = {str(q["pk"]): [] for q in questions}
    for question_id, choice_id in (
        Choice.objects.filter(question__quiz=quiz)
        .order_by("position", "id")
        .values_list("question_id", "pk")
    ):
        choices[str(question_id)].append(choice_id)
    if quiz.shuffle_options:
        shuffler = secrets.SystemRandom()
        for ids in choices.values():
            shuffler.shuffle(ids)
    return {"questions": [q["pk"] for q in questions], "choices": choices}


def _expired(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.submitted_at is None and now > attempt.deadline_at + grace()


def attempt_start(*, quiz: Quiz, student: User, now: datetime | None = None) -> QuizAttempt:
    """Return the student's open attempt, or start one.

    A double start (two tabs, a double click) returns the same open attempt. Refused with a
    ValidationError outside the window, with no attempts left, or for an unpublished quiz.
    """
    now = now or timezone.now()
    quiz_attempts_expire(quiz=quiz, student=student, now=now)
    open_attempt = QuizAttempt.objects.filter(
        quiz=quiz, student=student, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    if not quiz.is_published:
        raise ValidationError(_("This quiz is not published."), code="not_published")
    if now < quiz.opens_at:
        raise ValidationError(_("This quiz is not open yet."), code="not_open")
    if now >= quiz.closes_at:
        raise ValidationError(_("This quiz is closed."), code="closed")
    used = QuizAttempt.objects.filter(quiz=quiz, student=student).count()
    if used >= quiz.attempts_allowed:
        raise ValidationError(_("You have no attempts left."), code="no_attempts_left")
    deadline = quiz.closes_at
    if quiz.time_limit_minutes:
        deadline = min(deadline, now + timedelta(minutes=quiz.time_limit_minutes))
    attempt = QuizAttempt(
        quiz=quiz,
        student=student,
        number=used + 1,
        started_at=now,
        deadline_at=deadline,
        layout=_layout(quiz),
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        # A concurrent start won: its open attempt is the one (one open attempt per student).
        winner = QuizAttempt.objects.filter(
            quiz=quiz, student=student, submitted_at__isnull=True
        ).first()
        if winner is None:
            raise ValidationError(
                _("You have no attempts left."), code="no_attempts_left"
            ) from None
        return winner
    return attempt


def parse_number(raw: str) -> Decimal:
    """A numeric answer as typed ("3,5" too), or a ValidationError."""
    text = raw.strip().replace(",", ".")
    if not text or len(text) > 40:
        raise ValidationError(_("Enter a number."), code="numeric")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="numeric") from None
    if not value.is_finite() or abs(value) >= NUMERIC_LIMIT:
        raise ValidationError(_("Enter a finite number."), code="numeric_range")
    return value.quantize(NUMERIC_PLACES)


def answer_save(
    *,
    attempt: QuizAttempt,
    question_id: int,
    choice_ids: Iterable[int] = (),
    number: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """Save (or replace) the answer to one question of an open attempt.

    The caller has checked that the attempt is the student's own. Refused (ValidationError,
    nothing saved) after the deadline plus the grace, for a question outside the attempt, for
    options of another question, and for a number that is not one. An attempt found past its
    deadline is submitted with what was saved in time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            raise ValidationError(_("This attempt was submitted already."), code="submitted")
        late = _expired(locked, now)
        if not late:
            return _answer_write(locked, question_id, list(choice_ids), number, now)
    attempt_submit(attempt=attempt, now=now)
    raise ValidationError(
        _("The time is up: the answer was not saved. Your attempt was submitted."),
        code="deadline",
    )


def _answer_write(
    attempt: QuizAttempt,
    question_id: int,
    choice_ids: list[int],
    number: str | None,
    now: datetime,
) -> Answer:
    layout_questions = attempt.layout.get("questions", [])
    question = (
        Question.objects.filter(pk=question_id, quiz_id=attempt.quiz_id).first()
        if question_id in layout_questions
        else None
    )
    if question is None:
        raise ValidationError(_("This question is not part of the quiz."), code="question")
    value: Decimal | None = None
    chosen: list[int] = []
    if question.kind == Question.Kind.NUMERIC:
        value = parse_number(number or "")
    else:
        chosen = sorted(set(choice_ids))
        valid = set(Choice.objects.filter(question=question).values_list("pk", flat=True))
        if not set(chosen) <= valid:
            raise ValidationError(_("That option does not belong to this question."), code="choice")
        single = question.kind in (Question.Kind.SINGLE, Question.Kind.TRUE_FALSE)
        if single and len(chosen) != 1:
            raise ValidationError(_("Choose one option."), code="choice")
    answer, _created = Answer.objects.update_or_create(
        attempt=attempt,
        question=question,
        defaults={"choice_ids": chosen, "numeric_value": value, "answered_at": now},
    )
    return answer


def _answer_points(question: Question, answer: Answer | None, right: set[int]) -> Decimal:
    if answer is None:
        return Decimal(0)
    if question.kind == Question.Kind.NUMERIC:
        if answer.numeric_value is None or question.numeric_answer is None:
            return Decimal(0)
        within = abs(answer.numeric_value - question.numeric_answer) <= question.numeric_tolerance
        return question.points if within else Decimal(0)
    return question.points if set(answer.choice_ids) == right else Decimal(0)


def attempt_submit(*, attempt: QuizAttempt, now: datetime | None = None) -> QuizAttempt:
    """Submit the attempt and grade it: each answer all or nothing (the exact set of right
    options; a number within the tolerance); the quiz's grade follows the scoring rule.

    Submitting twice changes nothing. Answers are those saved: after the deadline none are.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            QuizAttempt.objects.select_for_update()
            .select_related("quiz__grade_item", "student")
            .get(pk=attempt.pk)
        )
        if locked.submitted_at is not None:
            return locked
        questions = list(
            Question.objects.filter(pk__in=locked.layout.get("questions", [])).prefetch_related(
                "choices"
            )
        )
        answers = {a.question_id: a for a in Answer.objects.filter(attempt=locked)}
        score = Decimal(0)
        for question in questions:
            right = {c.pk for c in question.choices.all() if c.is_correct}
            answer = answers.get(question.pk)
            points = _answer_points(question, answer, right)
            score += points
            if answer is not None:
                answer.points = points
                answer.save(update_fields=("points",))
        locked.score = score
        # An attempt finalised late ends at its deadline: the grace was for the network.
        locked.submitted_at = min(now, locked.deadline_at + grace())
        if locked.submitted_at < locked.started_at:
            locked.submitted_at = locked.started_at
        locked.save(update_fields=("score", "submitted_at"))
        _grade_from_attempts(quiz=locked.quiz, student=locked.student, now=now)
    attempt.submitted_at, attempt.score = locked.submitted_at, locked.score
    return locked


def _grade_from_attempts(*, quiz: Quiz, student: User, now: datetime | None = None) -> None:
    """The quiz's grade: the best or the last submitted attempt's score (a staff override
    stays)."""
    submitted = QuizAttempt.objects.filter(quiz=quiz, student=student, submitted_at__isnull=False)
    if quiz.scoring == Quiz.Scoring.BEST:
        counted = submitted.order_by(F("score").desc(nulls_last=True), "number").first()
    else:
        counted = submitted.order_by("-number").first()
    if counted is None or counted.score is None:
        return
    item = quiz.grade_item
    points = min(counted.score, item.max_points or Decimal(0))
    grade_record(item=item, student=student, points=points, by=None, automatic=True, now=now)


def quiz_attempts_expire(
    *, quiz: Quiz | None = None, student: User | None = None, now: datetime | None = None
) -> int:
    """Submit every open attempt past its deadline plus the grace (of one quiz, one student, or
    all); return how many. Each is graded with the answers saved in time."""
    now = now or timezone.now()
    overdue = QuizAttempt.objects.filter(submitted_at__isnull=True, deadline_at__lt=now - grace())
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    if student is not None:
        overdue = overdue.filter(student=student)
    count = 0
    for attempt in overdue.order_by("deadline_at", "pk"):
        submitted = attempt_submit(attempt=attempt, now=now)
        count += submitted.submitted_at is not None
    return count


def quiz_score_override(
    *, quiz: Quiz, student: User, points: Decimal, by: User, feedback: str | None = None
) -> Grade:
    """Set the student's quiz score by hand: later automatic grading keeps it; a change after
    release goes into the grade's history."""
    return grade_record(
        item=quiz.grade_item,
        student=student,
        points=points,
        by=by,
        feedback=feedback,
        override=True,
    )
