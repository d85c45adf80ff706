"""Quizzes: list, detail, authoring (quiz, questions) for the course's staff, results and score
overrides; a student's attempts: start, read (questions in the attempt's own order), answer and
submit.

Students never see the right answers before the quiz has closed and its results are released,
nor anything of another student. The time limit is the server's (services.quizzes.answer_save).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.core.validators import validate_single_line
from classmeet.coursework.models import Choice, Question, Quiz, QuizAttempt
from classmeet.coursework.selectors import quizzes as selectors
from classmeet.coursework.services import quizzes as services

from .common import MAX_ID, PartialInput, paginated, validated
from .courses import UserOutputSerializer

QUIZ_TAGS = ["quizzes"]
ATTEMPT_TAGS = ["quiz attempts"]


def _points(**kwargs: Any) -> serializers.DecimalField:
    """Grade points: 7 digits, two decimals."""
    return serializers.DecimalField(max_digits=7, decimal_places=2, **kwargs)


def _number(**kwargs: Any) -> serializers.DecimalField:
    """Numeric answers: 20 digits, six decimals."""
    return serializers.DecimalField(max_digits=20, decimal_places=6, **kwargs)


class MyQuizOutputSerializer(serializers.Serializer[Any]):
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField()
    open_attempt_id = serializers.IntegerField(
        allow_null=True, help_text="Your attempt in progress (in the quiz's detail; null in lists)."
    )
    points = _points(
        allow_null=True,
        help_text="Your grade, once the results are released (in the quiz's detail; null in "
        "lists).",
    )


class QuizOutputSerializer(serializers.ModelSerializer[Quiz]):
    points = _points(source="grade_item.max_points", read_only=True)
    question_count = serializers.IntegerField(read_only=True)
    is_open = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField(help_text="Students only (null for staff).")

    class Meta:
        model = Quiz
        fields = (
            "id",
            "course_id",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "time_limit_minutes",
            "attempts_allowed",
            "scoring",
            "shuffle_options",
            "release",
            "status",
            "published_at",
            "points",
            "question_count",
            "is_open",
            "mine",
        )
        read_only_fields = fields

    def get_is_open(self, quiz: Quiz) -> bool:
        return quiz.is_open(self.context.get("now"))

    @extend_schema_field(MyQuizOutputSerializer(allow_null=True))
    def get_mine(self, quiz: Quiz) -> dict[str, Any] | None:
        mine = self.context.get("mine", {}).get(quiz.pk)
        return None if mine is None else dict(MyQuizOutputSerializer(mine).data)


class QuizChoiceOutputSerializer(serializers.ModelSerializer[Choice]):
    class Meta:
        model = Choice
        fields = ("id", "position", "text", "is_correct")
        read_only_fields = fields


class QuizQuestionOutputSerializer(serializers.ModelSerializer[Question]):
    """A question as its staff author it, right answers included."""

    choices = QuizChoiceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = (
            "id",
            "quiz_id",
            "position",
            "kind",
            "text",
            "points",
            "numeric_answer",
            "numeric_tolerance",
            "choices",
        )
        read_only_fields = fields


def _quiz_out(request: Request, quiz: Quiz, code: int = status.HTTP_200_OK) -> Response:
    """The quiz with its question count, and the student's own standing."""
    user = request_user(request)
    now = timezone.now()
    quiz.question_count = quiz.questions.count()  # type: ignore[attr-defined]
    context: dict[str, Any] = {"now": now}
    if access.coursework.can_take_quiz(user=user, quiz=quiz):
        state = selectors.student_quiz_state(quiz=quiz, student_id=user.pk)
        open_attempt = state.open_attempt
        released = selectors.results_visible(quiz=quiz, now=now)
        context["mine"] = {
            quiz.pk: {
                "attempts_used": len(state.attempts),
                "attempts_left": state.attempts_left,
                "open_attempt_id": open_attempt.pk if open_attempt is not None else None,
                "points": state.grade.points if released and state.grade is not None else None,
            }
        }
    return Response(QuizOutputSerializer(quiz, context=context).data, status=code)


# Quizzes --------------------------------------------------------------------------------------


class QuizListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="quiz_list",
        summary="List a course's quizzes",
        description="By close. Staff get drafts too; students the published ones, with `mine`.",
        responses=QuizOutputSerializer(many=True),
        tags=QUIZ_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course(user=user, course_id=course_id)
        staff = access.coursework.can_manage_coursework(user=user, course=course)
        quizzes = selectors.quiz_list(
            course=course, staff=staff, student_id=None if staff else user.pk
        )
        now = timezone.now()
        context: dict[str, Any] = {"now": now}
        if not staff:
            context["mine"] = {
                q.pk: {
                    "attempts_used": q.attempts_used,  # type: ignore[attr-defined]
                    "attempts_left": max(0, q.attempts_allowed - q.attempts_used),  # type: ignore[attr-defined]
                    "open_attempt_id": None,
                    "points": None,
                }
                for q in quizzes
            }
        return paginated(self, request, quizzes, QuizOutputSerializer, context)


class QuizDetailApi(APIView):
    @extend_schema(
        operation_id="quiz_detail",
        summary="Get a quiz",
        description="A draft is a 404 to students. Questions: `quiz_question_list` (staff) or "
        "an attempt (students).",
        responses=QuizOutputSerializer,
        tags=QUIZ_TAGS,
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        quiz = access.coursework.access_quiz(user=request_user(request), quiz_id=quiz_id)
        services.quiz_attempts_expire(quiz=quiz)
        return _quiz_out(request, quiz)


class QuizInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, validators=[validate_single_line])
    description = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Markdown."
    )
    opens_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, UTC.")
    closes_at = serializers.DateTimeField(help_text="After opens_at.")
    time_limit_minutes = serializers.IntegerField(
        min_value=1,
        max_value=24 * 60,
        allow_null=True,
        default=None,
        help_text="null: no limit but the window.",
    )
    attempts_allowed = serializers.IntegerField(min_value=1, max_value=100, default=1)
    scoring = serializers.ChoiceField(choices=Quiz.Scoring.choices, default=Quiz.Scoring.BEST)
    shuffle_options = serializers.BooleanField(default=False)
    release = serializers.ChoiceField(
        choices=Quiz.Release.choices, default=Quiz.Release.IMMEDIATELY
    )


QUIZ_FIELDS = tuple(QuizInputSerializer().fields)


class QuizCreateApi(APIView):
    class InputSerializer(QuizInputSerializer):
        pass

    @extend_schema(
        operation_id="quiz_create",
        summary="Create a quiz (course staff)",
        description="Created as a draft; add questions, then publish it.",
        request=InputSerializer,
        responses={201: QuizOutputSerializer},
        tags=QUIZ_TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_manage(user=user, course_id=course_id)
        data = validated(self.InputSerializer, request.data)
        quiz = services.quiz_create(course=course, created_by=user, **data)
        return _quiz_out(request, quiz, status.HTTP_201_CREATED)


class QuizUpdateApi(APIView):
    class InputSerializer(PartialInput, QuizInputSerializer):
        pass

    @extend_schema(
        operation_id="quiz_update",
        summary="Edit a quiz (course staff)",
        description="Changes the given settings; a new scoring rule regrades the students.",
        request=InputSerializer,
        responses=QuizOutputSerializer,
        tags=QUIZ_TAGS,
    )
    def patch(self, request: Request, quiz_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        data = validated(self.InputSerializer, request.data)
        current = {name: getattr(quiz, name) for name in QUIZ_FIELDS}
        quiz = services.quiz_update(quiz=quiz, **{**current, **data})
        return _quiz_out(request, quiz)


class QuizPublishApi(APIView):
    @extend_schema(
        operation_id="quiz_publish",
        summary="Publish a quiz (course staff)",
        description="Needs at least one question; the students are notified. Publishing again "
        "changes nothing.",
        request=None,
        responses=QuizOutputSerializer,
        tags=QUIZ_TAGS,
    )
    def post(self, request: Request, quiz_id: int) -> Response:
        user = request_user(request)
        quiz = access.coursework.access_quiz_for_staff(user=user, quiz_id=quiz_id)
        quiz = services.quiz_publish(quiz=quiz, by=user)
        return _quiz_out(request, quiz)


class QuizDeleteApi(APIView):
    @extend_schema(
        operation_id="quiz_delete",
        summary="Delete a quiz (course staff)",
        description="With its questions, attempts and grades.",
        responses={204: None},
        tags=QUIZ_TAGS,
    )
    def delete(self, request: Request, quiz_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        services.quiz_delete(quiz=quiz)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Questions ------------------------------------------------------------------------------------


class QuizChoiceInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=500)
    is_correct = serializers.BooleanField(default=False)


class QuizQuestionInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text = serializers.CharField()
    points = _points(min_value=Decimal(0), max_value=services.MAX_POINTS, default=Decimal(1))
    choices = serializers.ListField(
        child=QuizChoiceInputSerializer(),
        required=False,
        default=list,
        max_length=services.MAX_OPTIONS,
        help_text="Single or multiple choice: 2 to 10 options, the right ones marked; true/false: "
        "two options, True first, one marked; numeric: none.",
    )
    numeric_answer = _number(allow_null=True, default=None)
    numeric_tolerance = _number(min_value=Decimal(0), default=Decimal(0))


def _question_fields(data: dict[str, Any]) -> dict[str, Any]:
    choices = [services.ChoiceInput(c["text"], c["is_correct"]) for c in data["choices"]]
    return {**data, "choices": choices}


def _question(quiz: Quiz, question_id: int) -> Question:
    question = selectors.question_get(quiz=quiz, question_id=question_id)
    if question is None:
        raise exceptions.NotFound
    return question


def _question_out(quiz: Quiz, question: Question, code: int = status.HTTP_200_OK) -> Response:
    question = _question(quiz, question.pk)  # its options, in order
    return Response(QuizQuestionOutputSerializer(question).data, status=code)


class QuizQuestionListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="quiz_question_list",
        summary="List a quiz's questions with their answers (course staff)",
        responses=QuizQuestionOutputSerializer(many=True),
        tags=QUIZ_TAGS,
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        return paginated(
            self, request, selectors.quiz_questions(quiz=quiz), QuizQuestionOutputSerializer
        )


class QuizQuestionCreateApi(APIView):
    class InputSerializer(QuizQuestionInputSerializer):
        pass

    @extend_schema(
        operation_id="quiz_question_create",
        summary="Add a question to a quiz (course staff)",
        description="At the end. Refused once students have attempted the quiz.",
        request=InputSerializer,
        responses={201: QuizQuestionOutputSerializer},
        tags=QUIZ_TAGS,
    )
    def post(self, request: Request, quiz_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        data = validated(self.InputSerializer, request.data)
        question = services.question_create(course=quiz.course, quiz=quiz, **_question_fields(data))
        return _question_out(quiz, question, status.HTTP_201_CREATED)


class QuizQuestionUpdateApi(APIView):
    class InputSerializer(PartialInput, QuizQuestionInputSerializer):
        pass

    @extend_schema(
        operation_id="quiz_question_update",
        summary="Edit a question (course staff)",
        description="Changes the given fields (`choices` replaces every option). Once students "
        "have attempted the quiz only the texts may change.",
        request=InputSerializer,
        responses=QuizQuestionOutputSerializer,
        tags=QUIZ_TAGS,
    )
    def patch(self, request: Request, quiz_id: int, question_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        question = _question(quiz, question_id)
        data = validated(self.InputSerializer, request.data)
        current = {
            "kind": question.kind,
            "text": question.text,
            "points": question.points,
            "choices": [
                {"text": c.text, "is_correct": c.is_correct} for c in question.choices.all()
            ],
            "numeric_answer": question.numeric_answer,
            "numeric_tolerance": question.numeric_tolerance,
        }
        question = services.question_update(
            question=question, **_question_fields({**current, **data})
        )
        return _question_out(quiz, question)


class QuizQuestionDeleteApi(APIView):
    @extend_schema(
        operation_id="quiz_question_delete",
        summary="Delete a question (course staff)",
        description="Refused once students have attempted the quiz.",
        responses={204: None},
        tags=QUIZ_TAGS,
    )
    def delete(self, request: Request, quiz_id: int, question_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        services.question_delete(question=_question(quiz, question_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuizQuestionMoveApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        direction = serializers.ChoiceField(choices=("up", "down"))

    @extend_schema(
        operation_id="quiz_question_move",
        summary="Move a question up or down (course staff)",
        description="Attempts already started keep their order.",
        request=InputSerializer,
        responses=QuizQuestionOutputSerializer(many=True),
        tags=QUIZ_TAGS,
    )
    def post(self, request: Request, quiz_id: int, question_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        question = _question(quiz, question_id)
        data = validated(self.InputSerializer, request.data)
        services.question_move(question=question, up=data["direction"] == "up")
        questions = selectors.quiz_questions(quiz=quiz)
        return Response(QuizQuestionOutputSerializer(questions, many=True).data)


# Staff: results and overrides -----------------------------------------------------------------


class QuizResultListApi(APIView):
    pagination_class = ApiPagination

    class OutputSerializer(serializers.Serializer[Any]):
        student = UserOutputSerializer()
        attempts = serializers.IntegerField()
        best = _points(allow_null=True)
        last = _points(allow_null=True)
        points = _points(allow_null=True, help_text="The grade that counts.")
        is_override = serializers.BooleanField()
        in_progress = serializers.BooleanField()

    @extend_schema(
        operation_id="quiz_result_list",
        summary="List every student's results on a quiz (course staff)",
        responses=OutputSerializer(many=True),
        tags=QUIZ_TAGS,
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        quiz = access.coursework.access_quiz_for_staff(user=request_user(request), quiz_id=quiz_id)
        services.quiz_attempts_expire(quiz=quiz)
        rows = [
            {
                "student": row.student,
                "attempts": row.attempts,
                "best": row.best,
                "last": row.last,
                "points": row.grade.points if row.grade is not None else None,
                "is_override": row.grade is not None and row.grade.is_override,
                "in_progress": row.in_progress,
            }
            for row in selectors.quiz_results(quiz=quiz)
        ]
        return paginated(self, request, rows, self.OutputSerializer)


class QuizScoreOverrideApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        points = _points(min_value=Decimal(0))
        feedback = serializers.CharField(
            required=False, allow_blank=True, help_text="Left out: the feedback stays."
        )

    class OutputSerializer(serializers.Serializer[Any]):
        student_id = serializers.IntegerField()
        points = _points(allow_null=True)
        feedback = serializers.CharField()
        is_override = serializers.BooleanField()
        graded_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="quiz_score_override",
        summary="Override a student's quiz score (course staff)",
        description="At most the quiz's points. Later automatic grading keeps it; a change "
        "after release is kept in the grade's history.",
        request=InputSerializer,
        responses=OutputSerializer,
        tags=QUIZ_TAGS,
    )
    def put(self, request: Request, quiz_id: int, student_id: int) -> Response:
        user = request_user(request)
        quiz, student = access.coursework.access_quiz_student(
            user=user, quiz_id=quiz_id, student_id=student_id
        )
        data = validated(self.InputSerializer, request.data)
        grade = services.quiz_score_override(
            quiz=quiz,
            student=student,
            points=data["points"],
            by=user,
            feedback=data.get("feedback"),
        )
        return Response(self.OutputSerializer(grade).data)


# Attempts -------------------------------------------------------------------------------------


class QuizAttemptChoiceOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuizAttemptAnswerOutputSerializer(serializers.Serializer[Any]):
    choice_ids = serializers.ListField(child=serializers.IntegerField())
    numeric_value = _number(allow_null=True)
    points = _points(allow_null=True, help_text="Once the results are released.")


class QuizAttemptQuestionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="question.pk")
    number = serializers.IntegerField()
    kind = serializers.CharField(source="question.kind")
    text = serializers.CharField(source="question.text")
    points = _points(
        source="question.points",
    )
    choices = QuizAttemptChoiceOutputSerializer(many=True, help_text="In this attempt's order.")
    answer = serializers.SerializerMethodField()
    right_choice_ids = serializers.SerializerMethodField(
        help_text="Only once the quiz has closed and its results are released."
    )

    @extend_schema_field(QuizAttemptAnswerOutputSerializer(allow_null=True))
    def get_answer(self, row: selectors.AttemptQuestion) -> dict[str, Any] | None:
        answer = row.answer
        if answer is None:
            return None
        shown = self.context.get("results_visible", False)
        return dict(
            QuizAttemptAnswerOutputSerializer(
                {
                    "choice_ids": answer.choice_ids,
                    "numeric_value": answer.numeric_value,
                    "points": answer.points if shown else None,
                }
            ).data
        )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_right_choice_ids(self, row: selectors.AttemptQuestion) -> list[int] | None:
        if not self.context.get("answers_visible", False):
            return None
        return sorted(row.right_ids)


class QuizAttemptOutputSerializer(serializers.ModelSerializer[QuizAttempt]):
    score = serializers.SerializerMethodField(help_text="Once the results are released.")
    questions = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = (
            "id",
            "quiz_id",
            "number",
            "started_at",
            "deadline_at",
            "submitted_at",
            "score",
            "questions",
        )
        read_only_fields = fields

    @extend_schema_field(_points(allow_null=True))
    def get_score(self, attempt: QuizAttempt) -> str | None:
        if not self.context.get("results_visible") or attempt.score is None:
            return None
        return f"{attempt.score:.2f}"

    @extend_schema_field(QuizAttemptQuestionOutputSerializer(many=True))
    def get_questions(self, attempt: QuizAttempt) -> list[dict[str, Any]]:
        rows = selectors.attempt_questions(attempt=attempt)
        return list(QuizAttemptQuestionOutputSerializer(rows, many=True, context=self.context).data)


def _attempt_out(attempt: QuizAttempt, code: int = status.HTTP_200_OK) -> Response:
    now = timezone.now()
    submitted = attempt.submitted_at is not None
    context = {
        "results_visible": submitted and selectors.results_visible(quiz=attempt.quiz, now=now),
        "answers_visible": submitted and selectors.answers_visible(quiz=attempt.quiz, now=now),
    }
    return Response(QuizAttemptOutputSerializer(attempt, context=context).data, status=code)


class QuizAttemptStartApi(APIView):
    @extend_schema(
        operation_id="quiz_attempt_start",
        summary="Start an attempt (enrolled students)",
        description="201 with a new attempt; 200 with the open one if you have one (a double "
        "start gives the same attempt). Refused with 400 outside the window or with no "
        "attempts left; 403 to the course's staff.",
        request=None,
        responses={201: QuizAttemptOutputSerializer, 200: QuizAttemptOutputSerializer},
        tags=ATTEMPT_TAGS,
    )
    def post(self, request: Request, quiz_id: int) -> Response:
        user = request_user(request)
        quiz = access.coursework.access_quiz(user=user, quiz_id=quiz_id)
        if not access.coursework.can_take_quiz(user=user, quiz=quiz):
            raise exceptions.PermissionDenied
        services.quiz_attempts_expire(quiz=quiz, student=user)
        before = selectors.student_quiz_state(quiz=quiz, student_id=user.pk).open_attempt
        attempt = services.attempt_start(quiz=quiz, student=user)
        attempt.quiz = quiz
        created = before is None or before.pk != attempt.pk
        return _attempt_out(attempt, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuizAttemptDetailApi(APIView):
    @extend_schema(
        operation_id="quiz_attempt_detail",
        summary="Get my attempt with its questions",
        description="Your own attempts only (404 for anybody else's): the questions and options "
        "in this attempt's order with your saved answers; scores and right answers once "
        "released.",
        responses=QuizAttemptOutputSerializer,
        tags=ATTEMPT_TAGS,
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        user = request_user(request)
        attempt = access.coursework.access_quiz_attempt(user=user, attempt_id=attempt_id)
        services.quiz_attempts_expire(quiz=attempt.quiz, student=user)
        if attempt.submitted_at is None:
            attempt.refresh_from_db(fields=("submitted_at", "score"))
        return _attempt_out(attempt)


class QuizAnswerSaveApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        question_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        choice_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            default=list,
            max_length=services.MAX_OPTIONS,
            help_text="Choice questions: the chosen option ids (one for single and true/false).",
        )
        number = serializers.CharField(
            required=False,
            allow_null=True,
            default=None,
            max_length=40,
            help_text='Numeric questions: the number ("3.5" or "3,5").',
        )

    class OutputSerializer(serializers.Serializer[Any]):
        question_id = serializers.IntegerField()
        choice_ids = serializers.ListField(child=serializers.IntegerField())
        numeric_value = _number(allow_null=True)
        answered_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="quiz_answer_save",
        summary="Save an answer of my open attempt",
        description="Replaces an earlier answer to the question. Refused with 400 after the "
        "attempt's deadline plus a short grace (the attempt is then submitted with the answers "
        "saved in time), for a submitted attempt, a question outside the attempt, or options "
        "of another question.",
        request=InputSerializer,
        responses=OutputSerializer,
        tags=ATTEMPT_TAGS,
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = access.coursework.access_quiz_attempt(
            user=request_user(request), attempt_id=attempt_id
        )
        data = validated(self.InputSerializer, request.data)
        answer = services.answer_save(
            attempt=attempt,
            question_id=data["question_id"],
            choice_ids=data["choice_ids"],
            number=data["number"],
        )
        return Response(self.OutputSerializer(answer).data)


class QuizAttemptSubmitApi(APIView):
    @extend_schema(
        operation_id="quiz_attempt_submit",
        summary="Submit my attempt",
        description="Grades it; submitting twice changes nothing.",
        request=None,
        responses=QuizAttemptOutputSerializer,
        tags=ATTEMPT_TAGS,
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = access.coursework.access_quiz_attempt(
            user=request_user(request), attempt_id=attempt_id
        )
        submitted = services.attempt_submit(attempt=attempt)
        submitted.quiz = attempt.quiz
        return _attempt_out(submitted)
