"""The demo data of `manage.py seed_demo`: one idempotent function per domain.

Each seeder takes the `Demo` being built, finds or creates its rows (looked up by natural keys
such as username or course title, never by id), and records them on the `Demo`. Running the
seeders again creates nothing new. To seed another domain, write `seed_<domain>(demo)` and add
it to `SEEDERS`; anything it wants in the JSON output goes in `demo.extra`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course, CourseAssistant, Enrollment, Material
from classmeet.courses.services import assistant_add
from classmeet.coursework.models import Assignment, Choice, GradeCategory, Question, Quiz
from classmeet.coursework.services.assignments import (
    assignment_create,
    assignment_publish,
    submission_create,
)
from classmeet.coursework.services.grades import (
    grade_category_create,
    grade_item_category_set,
    grade_release,
    submission_grade,
)
from classmeet.coursework.services.quizzes import (
    ChoiceInput,
    answer_save,
    attempt_start,
    attempt_submit,
    question_create,
    quiz_create,
    quiz_publish,
    quiz_update,
    true_false_choices,
)
from classmeet.demo.files import demo_pdf, demo_png, slug
from classmeet.discussions.models import Discussion
from classmeet.discussions.services import (
    comment_create,
    comment_set_answer,
    discussion_create,
    discussion_set_pinned,
)
from classmeet.meetings.models import Meeting

DEMO_PASSWORD = "classmeet-demo"  # noqa: S105  (printed on purpose: these are demo logins)
EMAIL_DOMAIN = "example.com"

# username, first name, last name, role
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("teacher1", "Ada", "Lovelace", User.Role.TEACHER),
    ("teacher2", "Alan", "Turing", User.Role.TEACHER),
    ("student1", "Grace", "Hopper", User.Role.STUDENT),
    ("student2", "Katherine", "Johnson", User.Role.STUDENT),
    ("student3", "Edsger", "Dijkstra", User.Role.STUDENT),
    ("student4", "Barbara", "Liskov", User.Role.STUDENT),
)

# teacher username, title, description, materials as (title, kind)
DEMO_COURSES: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "teacher1",
        "Physics 101: Waves and Sound",
        "How waves travel, interfere and carry sound. Live classes every week, notes below.",
        (("Lecture notes: waves", "pdf"), ("Diagram: a sine wave", "png")),
    ),
    (
        "teacher2",
        "Introduction to Algorithms",
        "Sorting, searching and graphs, with exercises after every live class.",
        (("Syllabus", "pdf"), ("Diagram: binary search", "png")),
    ),
)
STUDENTS_OF_FIRST_COURSE = ("student1", "student2", "student3")
# The live class's course gets a co-teacher: the other teacher assists it (and owns their own).
ASSISTANT_OF_FIRST_COURSE = "teacher2"
LIVE_MEETING_TITLE = "Live class: interference"
LIVE_MEETING_MINUTES = 90
LIVE_MEETING_STARTED_AGO = timedelta(minutes=5)


@dataclass
class Demo:
    users: list[User] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, username: str) -> User:
        return next(user for user in self.users if user.username == username)


# Accounts --------------------------------------------------------------------------------------


def seed_accounts(demo: Demo) -> None:
    """Two teachers and four students, all with DEMO_PASSWORD (restored if it was changed)."""
    for username, first_name, last_name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{EMAIL_DOMAIN}",
                "role": role,
            },
        )
        changed: list[str] = []
        if user.role != role:
            user.role = role
            changed.append("role")
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=None if created else changed)
        demo.users.append(user)


# Courses: courses, materials, enrollments ------------------------------------------------------


def seed_courses(demo: Demo) -> None:
    """A course per teacher with a PDF and a PNG; students 1-3 in the first course."""
    for teacher_name, title, description, materials in DEMO_COURSES:
        teacher = demo.user(teacher_name)
        course = Course.objects.filter(teacher=teacher, title=title).order_by("id").first()
        if course is None:
            course = Course.objects.create(teacher=teacher, title=title, description=description)
        for material_title, kind in materials:
            _seed_material(course=course, title=material_title, kind=kind)
        demo.courses.append(course)
    first = demo.courses[0]
    for username in STUDENTS_OF_FIRST_COURSE:
        Enrollment.objects.get_or_create(course=first, student=demo.user(username))


def _seed_material(*, course: Course, title: str, kind: str) -> Material:
    material = Material.objects.filter(course=course, title=title).order_by("id").first()
    if material is not None and material.file and material.file.storage.exists(material.file.name):
        return material
    data, extension, content_type = (
        (demo_pdf(title=title, lines=[course.title, course.description]), "pdf", "application/pdf")
        if kind == "pdf"
        else (demo_png(title=title), "png", "image/png")
    )
    if material is None:
        material = Material(
            course=course,
            title=title,
            original_name=f"{slug(title)}.{extension}",
            content_type=content_type,
            size=len(data),
            uploaded_by=course.teacher,
        )
    else:
        # The row survived but its file is gone (media wiped): write the file again.
        material.size = len(data)
    material.file.save(material.original_name, ContentFile(data), save=False)
    material.save()
    return material


# Meetings --------------------------------------------------------------------------------------


def seed_meetings(demo: Demo) -> None:
    """A meeting of the first course that is live now; moved back to 'now' once it is over."""
    course = demo.courses[0]
    now = timezone.now()
    meeting = Meeting.objects.filter(course=course, title=LIVE_MEETING_TITLE).order_by("id").first()
    if meeting is None:
        meeting = Meeting.objects.create(
            course=course,
            title=LIVE_MEETING_TITLE,
            description="Bring headphones: we will listen to beats.",
            starts_at=now - LIVE_MEETING_STARTED_AGO,
            duration_minutes=LIVE_MEETING_MINUTES,
            waiting_room=False,  # the demo's students walk straight in
            created_by=course.teacher,
        )
    elif meeting.phase(now) != Meeting.Phase.LIVE:
        meeting.starts_at = now - LIVE_MEETING_STARTED_AGO
        meeting.duration_minutes = LIVE_MEETING_MINUTES
        meeting.status = Meeting.Status.SCHEDULED
        meeting.ended_at = None
        meeting.sequence += 1
        meeting.save(
            update_fields=[
                "starts_at",
                "duration_minutes",
                "status",
                "ended_at",
                "sequence",
                "updated_at",
            ]
        )
    demo.meetings.append(meeting)


# Discussions -----------------------------------------------------------------------------------

# author username, title, Markdown body, pinned, (commenter username, comment, is the answer)
DEMO_DISCUSSIONS: tuple[tuple[str, str, str, bool, tuple[str, str, bool]], ...] = (
    (
        "teacher1",
        "Quiz on Friday: chapters 1-3",
        "The quiz covers **chapters 1-3**: wavelength, frequency and the wave equation.\n\n"
        "- 20 minutes, open notes\n- Bring a calculator",
        True,
        ("student2", "Will the interference lab be part of it?", False),
    ),
    (
        "student1",
        "Why does sound travel faster in water than in air?",
        "I expected a denser medium to *slow* sound down. What am I missing?",
        False,
        (
            "teacher1",
            "Speed depends on stiffness as well as density: `v = sqrt(K / rho)`. Water is "
            "far stiffer than air (its bulk modulus *K* is ~15,000 times larger), which wins over "
            "its higher density.",
            True,
        ),
    ),
)


def seed_discussions(demo: Demo) -> None:
    """Two discussions of the first course, each with a comment, made through the services (so
    their Markdown is rendered and the course's members get the notifications once)."""
    course = demo.courses[0]
    seeded = []
    for author, title, body, pinned, (commenter, text, is_answer) in DEMO_DISCUSSIONS:
        discussion = Discussion.objects.filter(course=course, title=title).order_by("id").first()
        if discussion is None:
            discussion = discussion_create(
                course=course, author=demo.user(author), title=title, body=body
            )
            comment = comment_create(discussion=discussion, author=demo.user(commenter), body=text)
            if is_answer:
                comment_set_answer(comment=comment, is_answer=True)
            if pinned:
                discussion_set_pinned(discussion=discussion, pinned=True)
        seeded.append(
            {"id": discussion.pk, "title": discussion.title, "url": discussion.get_absolute_url()}
        )
    demo.extra["discussions"] = seeded


# All of it --------------------------------------------------------------------------------------


# Staff -----------------------------------------------------------------------------------------


def seed_staff(demo: Demo) -> None:
    """The other teacher assists the live class's course (notified once, like a real add)."""
    first = demo.courses[0]
    assistant = demo.user(ASSISTANT_OF_FIRST_COURSE)
    if not CourseAssistant.objects.filter(course=first, user=assistant).exists():
        assistant_add(course=first, user=assistant, added_by=first.teacher)


# Coursework ------------------------------------------------------------------------------------

# name, weight (percent of the total)
DEMO_GRADE_CATEGORIES: tuple[tuple[str, Decimal], ...] = (
    ("Assignments", Decimal(60)),
    ("Quizzes", Decimal(40)),
)
LAB_REPORT_TITLE = "Lab report: interference of two speakers"
TEXT_ASSIGNMENT_TITLE = "Short answer: why do we hear beats?"
DRAFT_ASSIGNMENT_TITLE = "Problem set 2: standing waves"
QUIZ_TITLE = "Quiz: waves basics"
QUIZ_TIME_LIMIT_MINUTES = 20
QUIZ_OPEN_DAYS = 7  # a re-run reopens the quiz for this long once it closes within a day


def seed_coursework(demo: Demo) -> None:
    """Coursework of the live class's course, made through the services (so the gradebook
    columns, notifications and grades are what the pages would make): two weighted categories;
    a file assignment that was due two days ago (student1 on time, graded and released;
    student2 late, waiting to be graded; student3 missing), a text assignment due in three
    days, a draft; and a published quiz with a time limit that student1 has taken."""
    course = demo.courses[0]
    now = timezone.now()
    assignments_category = _seed_grade_category(course, *DEMO_GRADE_CATEGORIES[0])
    quizzes_category = _seed_grade_category(course, *DEMO_GRADE_CATEGORIES[1])
    lab, created = _seed_assignment(
        course,
        title=LAB_REPORT_TITLE,
        instructions=(
            "Measure where the sound is **loud** and where it is **quiet** between two speakers "
            "playing the same tone, and explain the pattern.\n\n"
            "- Hand in a PDF of at most 4 pages\n- Late work: 10% off per day, for a week"
        ),
        points=Decimal(10),
        due_at=now - timedelta(days=2),
        submission_type=Assignment.SubmissionType.FILE,
        category=assignments_category,
        late_penalty_percent=Decimal(10),
        cutoff_at=now + timedelta(days=5),
    )
    if created:
        _seed_lab_report_work(demo, lab)
    text, _created = _seed_assignment(
        course,
        title=TEXT_ASSIGNMENT_TITLE,
        instructions="In **three or four sentences**: what makes two close notes *beat*?",
        points=Decimal(5),
        due_at=now + timedelta(days=3),
        submission_type=Assignment.SubmissionType.TEXT,
        category=assignments_category,
    )
    draft, _created = _seed_assignment(
        course,
        title=DRAFT_ASSIGNMENT_TITLE,
        instructions="Not published yet: the students do not see it.",
        points=Decimal(20),
        due_at=now + timedelta(days=10),
        submission_type=Assignment.SubmissionType.BOTH,
        category=assignments_category,
        publish=False,
    )
    quiz = _seed_quiz(demo, course, quizzes_category, now)
    demo.extra["assignments"] = [_coursework_entry(a) for a in (lab, text, draft)]
    demo.extra["quizzes"] = [_coursework_entry(quiz)]


def _coursework_entry(thing: Assignment | Quiz) -> dict[str, Any]:
    return {
        "id": thing.pk,
        "course_id": thing.course_id,
        "title": thing.title,
        "url": thing.get_absolute_url(),
        "status": thing.status,
    }


def _seed_grade_category(course: Course, name: str, weight: Decimal) -> GradeCategory:
    found = GradeCategory.objects.filter(course=course, name=name).first()
    return found or grade_category_create(course=course, name=name, weight=weight)


def _seed_assignment(
    course: Course,
    *,
    title: str,
    instructions: str,
    points: Decimal,
    due_at: datetime,
    submission_type: str,
    category: GradeCategory,
    publish: bool = True,
    late_penalty_percent: Decimal | None = None,
    cutoff_at: datetime | None = None,
) -> tuple[Assignment, bool]:
    """The course's assignment of that title, or a new one (published when `publish`), and
    whether it is new."""
    found = Assignment.objects.filter(course=course, title=title).order_by("id").first()
    if found is not None:
        return found, False
    assignment = assignment_create(
        course=course,
        by=course.teacher,
        title=title,
        instructions=instructions,
        points=points,
        due_at=due_at,
        due_zone="UTC",
        accepts_late=late_penalty_percent is not None or cutoff_at is not None,
        late_penalty_percent=late_penalty_percent,
        cutoff_at=cutoff_at,
        submission_type=submission_type,
        students=None,
        category=category,
    )
    if publish:
        assignment_publish(assignment=assignment, by=course.teacher)
    return assignment, True


def _demo_upload(title: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"{slug(title)}.pdf", demo_pdf(title=title, lines=lines), content_type="application/pdf"
    )


def _seed_lab_report_work(demo: Demo, lab: Assignment) -> None:
    """student1 hands in on time and is graded (released); student2 hands in late and waits
    in the grading queue; student3 hands in nothing."""
    on_time, late = demo.user("student1"), demo.user("student2")
    submission_create(
        assignment=lab,
        student=on_time,
        text="",
        files=[_demo_upload("Lab report", [on_time.get_full_name(), lab.title])],
        client_token="",
        now=lab.due_at - timedelta(hours=20),
    )
    submission_create(
        assignment=lab,
        student=late,
        text="",
        files=[_demo_upload("Lab report (late)", [late.get_full_name(), lab.title])],
        client_token="",
        now=lab.due_at + timedelta(hours=6),
    )
    submission_grade(
        assignment=lab,
        student=on_time,
        points=Decimal(9),
        feedback="Clear measurements and a good diagram. Next time, **explain** the quiet spots "
        "with the path difference.",
        by=lab.course.teacher,
        now=lab.due_at + timedelta(days=1),
    )
    grade_release(item=lab.grade_item, by=lab.course.teacher)


def _seed_quiz(demo: Demo, course: Course, category: GradeCategory, now: datetime) -> Quiz:
    """The published quiz (a question of each kind, a time limit) that student1 took; one that
    closes within a day is reopened for another QUIZ_OPEN_DAYS."""
    quiz = Quiz.objects.filter(course=course, title=QUIZ_TITLE).order_by("id").first()
    if quiz is not None:
        if quiz.closes_at < now + timedelta(days=1):
            quiz_update(
                quiz=quiz,
                title=quiz.title,
                description=quiz.description,
                opens_at=min(quiz.opens_at, now),
                closes_at=now + timedelta(days=QUIZ_OPEN_DAYS),
                time_limit_minutes=quiz.time_limit_minutes,
                attempts_allowed=quiz.attempts_allowed,
                scoring=quiz.scoring,
                shuffle_options=quiz.shuffle_options,
                release=quiz.release,
            )
        return quiz
    quiz = quiz_create(
        course=course,
        title=QUIZ_TITLE,
        description="Four questions on chapter 1: **20 minutes** once you start, two tries, "
        "the best counts.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=QUIZ_OPEN_DAYS),
        time_limit_minutes=QUIZ_TIME_LIMIT_MINUTES,
        attempts_allowed=2,
        scoring=Quiz.Scoring.BEST,
        shuffle_options=True,
        release=Quiz.Release.IMMEDIATELY,
        created_by=course.teacher,
    )
    grade_item_category_set(item=quiz.grade_item, category=category)
    question_create(
        course=course,
        quiz=quiz,
        kind=Question.Kind.SINGLE,
        text="What does the frequency of a wave measure?",
        points=Decimal(2),
        choices=[
            ChoiceInput("Oscillations per second", is_correct=True),
            ChoiceInput("The distance between two crests"),
            ChoiceInput("How loud it is"),
        ],
    )
    question_create(
        course=course,
        quiz=quiz,
        kind=Question.Kind.MULTIPLE,
        text="Which of these are waves?",
        points=Decimal(2),
        choices=[
            ChoiceInput("Sound", is_correct=True),
            ChoiceInput("Light", is_correct=True),
            ChoiceInput("A thrown ball"),
        ],
    )
    question_create(
        course=course,
        quiz=quiz,
        kind=Question.Kind.TRUE_FALSE,
        text="Sound travels through a vacuum.",
        points=Decimal(1),
        choices=true_false_choices(answer=False),
    )
    question_create(
        course=course,
        quiz=quiz,
        kind=Question.Kind.NUMERIC,
        text="A 340 m/s sound wave has a frequency of 170 Hz. What is its wavelength in metres?",
        points=Decimal(3),
        numeric_answer=Decimal(2),
        numeric_tolerance=Decimal("0.05"),
    )
    quiz_publish(quiz=quiz, by=course.teacher)
    _seed_quiz_attempt(quiz, demo.user("student1"), started=now - timedelta(hours=3))
    return quiz


def _seed_quiz_attempt(quiz: Quiz, student: User, *, started: datetime) -> None:
    """A submitted attempt, right but for the multiple-choice question (one of its two)."""
    attempt = attempt_start(quiz=quiz, student=student, now=started)
    answered = started + timedelta(minutes=5)
    for question in Question.objects.filter(quiz=quiz).order_by("position"):
        right = Choice.objects.filter(question=question, is_correct=True).order_by("position")
        answer_save(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=list(right.values_list("pk", flat=True))[:1],
            number="2.0" if question.kind == Question.Kind.NUMERIC else None,
            now=answered,
        )
    attempt_submit(attempt=attempt, now=answered + timedelta(minutes=1))


SEEDERS: tuple[Callable[[Demo], None], ...] = (
    seed_accounts,
    seed_courses,
    seed_meetings,
    seed_discussions,
    seed_staff,
    seed_coursework,
)


@transaction.atomic
def seed_demo() -> Demo:
    """Create (or find) the whole demo and return it."""
    demo = Demo()
    for seeder in SEEDERS:
        seeder(demo)
    return demo


def course_path(course: Course) -> str:
    return course.get_absolute_url()


def meeting_path(meeting: Meeting) -> str:
    return meeting.get_absolute_url()


def room_path(meeting: Meeting) -> str:
    return reverse("rooms:room", kwargs={"meeting_id": meeting.pk})


def demo_as_dict(demo: Demo) -> dict[str, Any]:
    """Return the demo in the JSON shape other tools rely on (extra keys are allowed)."""
    user_ids = [user.pk for user in demo.users]
    course_ids = [course.pk for course in demo.courses]
    taught: dict[int, list[int]] = {}
    for course_id, teacher_id in Course.objects.filter(teacher_id__in=user_ids).values_list(
        "id", "teacher_id"
    ):
        taught.setdefault(teacher_id, []).append(course_id)
    attended: dict[int, list[int]] = {}
    for course_id, student_id in Enrollment.objects.filter(student_id__in=user_ids).values_list(
        "course_id", "student_id"
    ):
        attended.setdefault(student_id, []).append(course_id)
    assisted: dict[int, list[int]] = {}
    for course_id, user_id in CourseAssistant.objects.filter(user_id__in=user_ids).values_list(
        "course_id", "user_id"
    ):
        assisted.setdefault(user_id, []).append(course_id)
    materials: dict[int, list[dict[str, Any]]] = {}
    for material in Material.objects.filter(course_id__in=course_ids).order_by("id"):
        materials.setdefault(material.course_id, []).append(
            {"id": material.pk, "title": material.title, "file_name": material.original_name}
        )
    return {
        "users": [
            {
                "username": user.username,
                "password": DEMO_PASSWORD,
                "role": user.role,
                "name": user.get_full_name(),
                "email": user.email,
                "courses": sorted(
                    taught.get(user.pk, []) if user.is_teacher else attended.get(user.pk, [])
                ),
                "assists": sorted(assisted.get(user.pk, [])),
            }
            for user in demo.users
        ],
        "courses": [
            {
                "id": course.pk,
                "title": course.title,
                "teacher": course.teacher.username,
                "url": course_path(course),
                "join_code": course.join_code,
                "students": sorted(
                    user.username for user in demo.users if course.pk in attended.get(user.pk, [])
                ),
                "assistants": sorted(
                    user.username for user in demo.users if course.pk in assisted.get(user.pk, [])
                ),
                "materials": materials.get(course.pk, []),
                "gradebook_url": reverse("coursework:gradebook", kwargs={"course_id": course.pk}),
                "gradebook_csv_url": reverse(
                    "coursework:gradebook-csv", kwargs={"course_id": course.pk}
                ),
            }
            for course in demo.courses
        ],
        "meetings": [
            {
                "id": meeting.pk,
                "course_id": meeting.course_id,
                "title": meeting.title,
                "url": meeting_path(meeting),
                "room_url": room_path(meeting),
                "starts_at": meeting.starts_at.isoformat(),
                "ends_at": meeting.ends_at.isoformat(),
            }
            for meeting in demo.meetings
        ],
        **demo.extra,
    }
