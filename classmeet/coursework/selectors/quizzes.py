"""Reads of quizzes: a course's list, the questions, an attempt as the student sees it, and the
results of a quiz (each student's best and last score and grade)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course, Enrollment

from ..models import Answer, Choice, Grade, GradeChange, Question, Quiz, QuizAttempt


def quiz_list(*, course: Course, staff: bool, student_id: int | None = None) -> list[Quiz]:
    """The course's quizzes by close: all for staff, the published ones for students, each
    with `attempts_used` (the student's) and `question_count`. One query."""
    quizzes: QuerySet[Quiz] = Quiz.objects.filter(course=course).select_related("grade_item")
    if not staff:
        quizzes = quizzes.filter(status=Quiz.Status.PUBLISHED)
    return list(
        quizzes.annotate(
            question_count=Count("questions", distinct=True),
            attempts_used=Count(
                "attempts", filter=Q(attempts__student_id=student_id or 0), distinct=True
            ),
        ).order_by("closes_at", "id")
    )


def quiz_questions(*, quiz: Quiz) -> list[Question]:
    """The quiz's questions in order, options prefetched. Two queries."""
    return list(
        Question.objects.filter(quiz=quiz)
        .order_by("position", "id")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
    )


def prepared_question_list(*, course: Course) -> list[Question]:
    """The course's questions prepared for the live class (no quiz), options prefetched."""
    return list(
        Question.objects.filter(course=course, quiz__isnull=True)
        .order_by("position", "id")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
    )


def question_get(*, quiz: Quiz, question_id: int) -> Question | None:
    return Question.objects.filter(quiz=quiz, pk=question_id).first()


@dataclass
class AttemptQuestion:
    """One question of an attempt in the attempt's order: options as laid out, the saved
    answer, and whether each option was chosen."""

    number: int
    question: Question
    choices: list[Choice]
    answer: Answer | None
    chosen: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)  # the page's refusal of this answer

    @property
    def right_ids(self) -> set[int]:
        return {c.pk for c in self.choices if c.is_correct}


def attempt_questions(*, attempt: QuizAttempt) -> list[AttemptQuestion]:
    """The attempt's questions with options in its layout and its saved answers. Three queries,
    whatever the number of questions."""
    layout = attempt.layout or {}
    order: list[int] = [int(pk) for pk in layout.get("questions", [])]
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=order).prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
        )
    }
    answers = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    rows: list[AttemptQuestion] = []
    layout_choices: dict[str, list[int]] = layout.get("choices", {})
    for pk in order:
        question = questions.get(pk)
        if question is None:  # deleted since (only possible before any attempt existed)
            continue
        by_id = {c.pk: c for c in question.choices.all()}
        wanted = [int(c) for c in layout_choices.get(str(pk), [])]
        choices = [by_id[c] for c in wanted if c in by_id]
        choices += [c for c in question.choices.all() if c.pk not in set(wanted)]
        answer = answers.get(pk)
        rows.append(
            AttemptQuestion(
                number=len(rows) + 1,
                question=question,
                choices=choices,
                answer=answer,
                chosen=set(answer.choice_ids) if answer is not None else set(),
            )
        )
    return rows


def attempt_get(*, attempt_id: int) -> QuizAttempt | None:
    return (
        QuizAttempt.objects.select_related("quiz__course", "quiz__grade_item", "student")
        .filter(pk=attempt_id)
        .first()
    )


@dataclass
class StudentQuizState:
    """One student's standing on a quiz: attempts (oldest first), the open one, what is left,
    and the grade."""

    attempts: list[QuizAttempt]
    attempts_allowed: int
    grade: Grade | None

    @property
    def open_attempt(self) -> QuizAttempt | None:
        return next((a for a in self.attempts if a.submitted_at is None), None)

    @property
    def attempts_left(self) -> int:
        return max(0, self.attempts_allowed - len(self.attempts))

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [a for a in self.attempts if a.submitted_at is not None]


def student_quiz_state(*, quiz: Quiz, student_id: int) -> StudentQuizState:
    """Two queries."""
    return StudentQuizState(
        attempts=list(
            QuizAttempt.objects.filter(quiz=quiz, student_id=student_id).order_by("number")
        ),
        attempts_allowed=quiz.attempts_allowed,
        grade=Grade.objects.filter(item_id=quiz.grade_item_id, student_id=student_id).first(),
    )


@dataclass
class ResultRow:
    student: User
    attempts: int
    best: Decimal | None
    last: Decimal | None
    grade: Grade | None
    in_progress: bool


def quiz_results(*, quiz: Quiz) -> list[ResultRow]:
    """Every enrolled student's attempts count, best and last submitted score and grade, by
    name. Four queries, whatever the number of students."""
    students = list(
        User.objects.filter(
            pk__in=Enrollment.objects.filter(course_id=quiz.course_id).values("student_id")
        ).order_by("last_name", "first_name", "username")
    )
    stats = {
        row["student_id"]: row
        for row in QuizAttempt.objects.filter(quiz=quiz)
        .values("student_id")
        .annotate(
            count=Count("id"),
            best=Max("score", filter=Q(submitted_at__isnull=False)),
            last_number=Max("number", filter=Q(submitted_at__isnull=False)),
            open=Count("id", filter=Q(submitted_at__isnull=True)),
        )
        .order_by()
    }
    last_scores = {
        (a.student_id, a.number): a.score
        for a in QuizAttempt.objects.filter(quiz=quiz, submitted_at__isnull=False).only(
            "student_id", "number", "score"
        )
    }
    grades = {g.student_id: g for g in Grade.objects.filter(item_id=quiz.grade_item_id)}
    rows = []
    for student in students:
        stat = stats.get(student.pk)
        rows.append(
            ResultRow(
                student=student,
                attempts=stat["count"] if stat else 0,
                best=stat["best"] if stat else None,
                last=last_scores.get((student.pk, stat["last_number"])) if stat else None,
                grade=grades.get(student.pk),
                in_progress=bool(stat and stat["open"]),
            )
        )
    return rows


def student_attempts_with_answers(
    *, quiz: Quiz, student_id: int
) -> list[tuple[QuizAttempt, list[AttemptQuestion]]]:
    """Each attempt of the student with its questions and answers (staff's view of a student).
    A few queries per attempt; attempts are few (attempts_allowed)."""
    attempts = QuizAttempt.objects.filter(quiz=quiz, student_id=student_id).order_by("number")
    return [(attempt, attempt_questions(attempt=attempt)) for attempt in attempts]


def results_visible(*, quiz: Quiz, now: datetime | None = None) -> bool:
    """Students see their scores once the quiz's column is released."""
    return quiz.grade_item.is_released(now)


def answers_visible(*, quiz: Quiz, now: datetime | None = None) -> bool:
    """The right answers are shown only once the window has closed (nobody can still use
    them)."""
    return results_visible(quiz=quiz, now=now) and (now or timezone.now()) >= quiz.closes_at


def grade_change_list(*, grade: Grade) -> list[GradeChange]:
    """The grade's history after release, oldest first, with who changed it."""
    return list(GradeChange.objects.filter(grade=grade).select_related("changed_by"))
