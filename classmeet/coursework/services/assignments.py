"""Writing assignments and submissions: create, edit, publish and delete an assignment (its
gradebook column in step), its attachments, and a student's attempts.

Callers have checked access (classmeet.access.coursework). Refusals are ValidationErrors keyed
by the form field they concern (or none), with a message a person can act on.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import Course, Enrollment
from classmeet.courses.services import files_delete_on_commit
from classmeet.courses.uploads import Kind, validate_material_file
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create

from ..models import (
    Assignment,
    AssignmentAttachment,
    AssignmentStudent,
    Grade,
    GradeCategory,
    GradeItem,
    Submission,
    SubmissionAttempt,
    SubmissionFile,
)
from ..selectors.assignments import assignment_student_ids

logger = logging.getLogger(__name__)

MAX_POINTS = Decimal("99999.99")  # what GradeItem.max_points holds
MAX_ATTACHMENTS = 20
MAX_SUBMISSION_FILES = 10
MAX_SUBMISSION_TEXT = 100_000  # characters: some 40 pages of prose
CLIENT_TOKEN_MAX_LENGTH = 64

StoredFile = tuple[Storage, str]


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the materials' checks: its safe display name and its real kind."""

    file: UploadedFile
    name: str
    kind: Kind


def check_files(files: Sequence[UploadedFile], *, field: str, limit: int) -> list[CheckedFile]:
    """Check each upload like a material (size, real type, name); raise one ValidationError
    under `field` naming every refused file."""
    if len(files) > limit:
        raise ValidationError(
            {field: _("At most %(n)s files at a time.") % {"n": limit}}, code="too_many_files"
        )
    checked: list[CheckedFile] = []
    errors: list[ValidationError] = []
    for file in files:
        try:
            name, kind = validate_material_file(file)
        except ValidationError as error:
            label = file.name or _("(no name)")
            errors.extend(
                ValidationError(
                    _("%(name)s: %(error)s") % {"name": label, "error": message},
                    code=error.code,
                )
                for message in error.messages
            )
        else:
            checked.append(CheckedFile(file=file, name=name, kind=kind))
    if errors:
        raise ValidationError({field: errors})
    return checked


def _store(field: FieldFile, checked: CheckedFile, stored: list[StoredFile]) -> None:
    """Write the upload under a generated name (never the user's) and remember it, so a failed
    transaction can take it back off the disk."""
    field.save("upload", checked.file, save=False)
    stored.append((field.storage, field.name or ""))


def _unstore(stored: list[StoredFile]) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete stored file %s", name)


# Assignments --------------------------------------------------------------------------------


class AssignmentFields(TypedDict):
    """What an assignment is made of: create and update take the same keyword arguments.

    `points` None makes it ungraded; `students` None assigns it to everybody enrolled;
    `attachments` are added to those it has.
    """

    title: str
    instructions: str
    points: Decimal | None
    due_at: datetime
    due_zone: str
    accepts_late: bool
    late_penalty_percent: Decimal | None
    cutoff_at: datetime | None
    submission_type: str
    students: Sequence[User] | None
    category: NotRequired[GradeCategory | None]
    attachments: NotRequired[Sequence[UploadedFile]]


def _validate_assignment(*, course: Course, fields: AssignmentFields) -> None:
    title, points, students = fields["title"], fields["points"], fields["students"]
    due_at, cutoff_at, accepts_late = fields["due_at"], fields["cutoff_at"], fields["accepts_late"]
    late_penalty_percent, category = fields["late_penalty_percent"], fields.get("category")
    submission_type = fields["submission_type"]
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the assignment a title.")
    if points is not None and (
        not points.is_finite() or points < 0 or points > MAX_POINTS or points != round(points, 2)
    ):
        errors["points"] = _(
            "Points are a number from 0 to %(max)s, with at most two decimals."
        ) % {"max": MAX_POINTS}
    if timezone.is_naive(due_at):
        errors["due_at"] = _("The due date needs a time zone.")
    elif cutoff_at is not None:
        if timezone.is_naive(cutoff_at):
            errors["cutoff_at"] = _("The cut-off needs a time zone.")
        elif cutoff_at < due_at:
            errors["cutoff_at"] = _("The cut-off cannot be before the due date.")
    if (cutoff_at is not None or late_penalty_percent is not None) and not accepts_late:
        errors["accepts_late"] = _("A late penalty or a cut-off needs late work to be accepted.")
    if late_penalty_percent is not None and not Decimal(0) <= late_penalty_percent <= Decimal(100):
        errors["late_penalty_percent"] = _("The late penalty is from 0 to 100% per day.")
    if submission_type not in Assignment.SubmissionType.values:
        errors["submission_type"] = _("Choose how students submit.")
    if category is not None and category.course_id != course.pk:
        errors["category"] = _("This category belongs to another course.")
    if students is not None:
        ids = {s.pk for s in students}
        enrolled = set(
            Enrollment.objects.filter(course=course, student_id__in=ids).values_list(
                "student_id", flat=True
            )
        )
        if not ids:
            errors["students"] = _("Choose at least one student, or assign it to everybody.")
        elif ids - enrolled:
            errors["students"] = _("Only students enrolled in the course can be assigned.")
    if errors:
        raise ValidationError(errors)


def _set_students(assignment: Assignment, students: Sequence[User] | None) -> None:
    assignment.assigned.all().delete()
    if students is not None:
        AssignmentStudent.objects.bulk_create(
            [
                AssignmentStudent(assignment=assignment, student=s)
                for s in {s.pk: s for s in students}.values()
            ]
        )


def _add_attachments(
    assignment: Assignment, checked: list[CheckedFile], stored: list[StoredFile]
) -> None:
    present = assignment.attachments.count() if assignment.pk else 0
    if present + len(checked) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("An assignment has at most %(n)s attachments.")
                % {"n": MAX_ATTACHMENTS}
            },
            code="too_many_files",
        )
    for item in checked:
        attachment = AssignmentAttachment(
            assignment=assignment,
            original_name=item.name,
            content_type=item.kind.mime,
            size=item.file.size or 0,
        )
        _store(attachment.file, item, stored)
        attachment.save()


def assignment_create(
    *, course: Course, by: User, **fields: Unpack[AssignmentFields]
) -> Assignment:
    """Create a draft assignment with its gradebook column (unpublished) and attachments."""
    assignment = Assignment(course=course, created_by=by)
    assignment.grade_item = GradeItem(course=course, kind=GradeItem.Kind.ASSIGNMENT)
    return _assignment_save(assignment, fields)


def assignment_update(*, assignment: Assignment, **fields: Unpack[AssignmentFields]) -> Assignment:
    """Save the assignment and keep its gradebook column (title, points, date, category) in
    step; the assigned students are replaced and new attachments added.

    Points below a grade already given are refused: the grade would be out of range.
    """
    points = fields["points"]
    given = Grade.objects.filter(item_id=assignment.grade_item_id, entered_points__isnull=False)
    if points is None and given.exists():
        raise ValidationError(
            {"points": _("Some students have points already: it cannot become ungraded.")},
            code="graded",
        )
    if points is not None and given.filter(entered_points__gt=points).exists():
        raise ValidationError(
            {"points": _("A student has more points than that already.")}, code="graded"
        )
    return _assignment_save(assignment, fields)


def _assignment_save(assignment: Assignment, fields: AssignmentFields) -> Assignment:
    """Validate, then write the assignment, its column, students and new attachments in one
    transaction; a stored attachment is taken back off the disk if that fails."""
    _validate_assignment(course=assignment.course, fields=fields)
    checked = check_files(fields.get("attachments", ()), field="attachments", limit=MAX_ATTACHMENTS)
    title = fields["title"].strip()
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            item = assignment.grade_item
            item.title, item.max_points = title, fields["points"]
            item.dated_at, item.category = fields["due_at"], fields.get("category")
            # An existing column: only what the assignment owns (a release may run meanwhile).
            owned = ["title", "max_points", "dated_at", "category"]
            item.save(update_fields=owned if item.pk else None)
            assignment.grade_item = item
            assignment.title = title
            assignment.instructions = fields["instructions"]
            assignment.due_at = fields["due_at"]
            assignment.due_zone = fields["due_zone"][:64] or "UTC"
            assignment.accepts_late = fields["accepts_late"]
            assignment.late_penalty_percent = fields["late_penalty_percent"]
            assignment.cutoff_at = fields["cutoff_at"]
            assignment.submission_type = fields["submission_type"]
            assignment.full_clean(exclude=["grade_item"])
            assignment.save()
            _set_students(assignment, fields["students"])
            _add_attachments(assignment, checked, stored)
    except BaseException:
        _unstore(stored)
        raise
    return assignment


@transaction.atomic
def assignment_publish(*, assignment: Assignment, by: User, now: datetime | None = None) -> bool:
    """Publish a draft: its students see it and get a "New assignment" notification, and its
    column joins the gradebook. Return False when it was published already (nothing sent)."""
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.is_published:
        return False
    now = now or timezone.now()
    assignment.status = Assignment.Status.PUBLISHED
    assignment.published_at = now
    assignment.save(update_fields=["status", "published_at", "updated_at"])
    GradeItem.objects.filter(pk=assignment.grade_item_id).update(is_published=True)
    assignment.grade_item.is_published = True
    course = assignment.course
    notifications_create(
        recipient_ids=assignment_student_ids(assignment=assignment),
        kind=Notification.Kind.ASSIGNMENT_PUBLISHED,
        title=lambda: (
            _("New assignment in %(course)s: %(title)s")
            % {"course": course.title, "title": assignment.title}
        ),
        url=assignment.get_absolute_url(),
        actor=by,
        course=course,
    )
    return True


def _assignment_files(assignment_ids: Sequence[int]) -> list[StoredFile]:
    """Every stored file of these assignments: attachments, submitted and returned files."""
    attachments = AssignmentAttachment.objects.filter(assignment_id__in=assignment_ids)
    submitted = SubmissionFile.objects.filter(attempt__submission__assignment_id__in=assignment_ids)
    returned = Submission.objects.filter(assignment_id__in=assignment_ids).exclude(returned_file="")
    files: list[StoredFile] = [(a.file.storage, a.file.name or "") for a in attachments]
    files += [(f.file.storage, f.file.name or "") for f in submitted]
    files += [(s.returned_file.storage, s.returned_file.name or "") for s in returned]
    return [(storage, name) for storage, name in files if name]


@transaction.atomic
def assignment_delete(*, assignment: Assignment) -> None:
    """Delete the assignment, its column and grades, every submission, then their files."""
    files = _assignment_files([assignment.pk])
    # The column owns the assignment (on_delete CASCADE): deleting it takes everything along.
    GradeItem.objects.filter(pk=assignment.grade_item_id).delete()
    files_delete_on_commit(files)


@transaction.atomic
def assignment_attachment_delete(*, attachment: AssignmentAttachment) -> None:
    files = [(attachment.file.storage, attachment.file.name)] if attachment.file else []
    attachment.delete()
    files_delete_on_commit([(s, n or "") for s, n in files])


# Submissions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """The attempt a submit recorded; `created` is False when the same form (client token) had
    been submitted already and that first attempt is returned instead."""

    attempt: SubmissionAttempt
    created: bool


def lateness(*, due_at: datetime, at: datetime) -> tuple[bool, int]:
    """Whether a hand-in at `at` is late, and by how many started days (1 second late: 1 day)."""
    if at <= due_at:
        return False, 0
    return True, math.ceil((at - due_at) / timedelta(days=1))


def _check_submission(
    *,
    assignment: Assignment,
    text: str,
    files: Sequence[UploadedFile],
    client_token: str,
    now: datetime,
) -> list[CheckedFile]:
    if not assignment.is_published:
        raise ValidationError(_("This assignment is not published."), code="unpublished")
    closes_at = assignment.closes_at
    if closes_at is not None and now > closes_at:
        if assignment.accepts_late:
            message = _("The cut-off has passed: this assignment no longer takes work.")
        else:
            message = _("The due date has passed and this assignment takes no late work.")
        raise ValidationError(message, code="closed")
    if len(client_token) > CLIENT_TOKEN_MAX_LENGTH:
        raise ValidationError(_("The form is out of date. Reload the page."), code="bad_token")
    kinds = Assignment.SubmissionType
    errors: dict[str, str] = {}
    if len(text) > MAX_SUBMISSION_TEXT:
        errors["text"] = _("The text is too long (at most %(n)s characters).") % {
            "n": MAX_SUBMISSION_TEXT
        }
    if assignment.submission_type == kinds.TEXT:
        if files:
            errors["files"] = _("This assignment takes text, not files.")
        if not text.strip():
            errors["text"] = _("Write your answer before submitting.")
    elif assignment.submission_type == kinds.FILE:
        if text.strip():
            errors["text"] = _("This assignment takes files, not text.")
        if not files:
            errors["files"] = _("Choose a file to submit.")
    elif not files and not text.strip():
        errors[NON_FIELD_ERRORS] = _("Write an answer or choose a file to submit.")
    if errors:
        raise ValidationError(errors, code="missing")
    return check_files(files, field="files", limit=MAX_SUBMISSION_FILES)


def _locked_submission(*, assignment: Assignment, student: User) -> Submission:
    """The student's submission row, locked for this transaction; created when missing."""
    found = Submission.objects.select_for_update().filter(assignment=assignment, student=student)
    submission = found.first()
    if submission is not None:
        return submission
    try:
        with transaction.atomic():  # a savepoint: a concurrent first submit loses only this
            return Submission.objects.create(assignment=assignment, student=student)
    except IntegrityError:
        return found.get()


def submission_create(
    *,
    assignment: Assignment,
    student: User,
    text: str,
    files: Sequence[UploadedFile],
    client_token: str,
    now: datetime | None = None,
) -> Submitted:
    """Record a new attempt of the student's work; earlier attempts are kept.

    Refused (ValidationError) for an unpublished assignment, after it closes (the due date, or
    with late work the cut-off), without the text or file its type asks for, and for files the
    materials would refuse. A second submit with the same `client_token` (a double click, a
    retried request) records nothing and returns the first attempt. The caller has checked
    that the student may submit (access.coursework.can_submit).
    """
    now = now or timezone.now()
    client_token = client_token.strip()
    checked = _check_submission(
        assignment=assignment, text=text, files=files, client_token=client_token, now=now
    )
    is_late, days_late = lateness(due_at=assignment.due_at, at=now)
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            # The lock orders concurrent submits of one student: numbers never clash, and a
            # repeated token sees the first attempt once its transaction has committed.
            submission = _locked_submission(assignment=assignment, student=student)
            earlier = _attempt_with_token(submission, client_token)
            if earlier is not None:
                return Submitted(attempt=earlier, created=False)
            try:
                with transaction.atomic():
                    attempt = SubmissionAttempt.objects.create(
                        submission=submission,
                        number=submission.attempt_count + 1,
                        text=text,
                        submitted_at=now,
                        is_late=is_late,
                        days_late=days_late,
                        client_token=client_token,
                    )
            except IntegrityError:
                # Only a database without row locks (SQLite's writers queue instead) gets here.
                earlier = _attempt_with_token(submission, client_token)
                if earlier is None:
                    raise
                return Submitted(attempt=earlier, created=False)
            for item in checked:
                row = SubmissionFile(
                    attempt=attempt,
                    original_name=item.name,
                    content_type=item.kind.mime,
                    size=item.file.size or 0,
                )
                _store(row.file, item, stored)
                row.save()
            submission.attempt_count = attempt.number
            submission.last_submitted_at = now
            submission.is_late = is_late
            submission.save(update_fields=["attempt_count", "last_submitted_at", "is_late"])
    except BaseException:
        _unstore(stored)
        raise
    return Submitted(attempt=attempt, created=True)


def _attempt_with_token(submission: Submission, client_token: str) -> SubmissionAttempt | None:
    if not client_token:
        return None
    return SubmissionAttempt.objects.filter(
        submission=submission, client_token=client_token
    ).first()
