"""Coursework: assignments, quizzes and the gradebook they feed.

Every graded thing of a course is one `GradeItem` (a gradebook column) with one `Grade` per
student; an assignment or a quiz owns its item, and the live class's graded polls (rooms) add
items of their own kind. The gradebook therefore reads items and grades, never each kind.
"""

from .assignments import (
    Assignment,
    AssignmentAttachment,
    AssignmentReminder,
    AssignmentStudent,
    Submission,
    SubmissionAttempt,
    SubmissionFile,
)
from .grades import Grade, GradeCategory, GradeChange, GradeItem
from .live_polls import LivePoll, LivePollAnswer
from .quizzes import Answer, Choice, Question, Quiz, QuizAttempt

__all__ = [
    "Answer",
    "Assignment",
    "AssignmentAttachment",
    "AssignmentReminder",
    "AssignmentStudent",
    "Choice",
    "Grade",
    "GradeCategory",
    "GradeChange",
    "GradeItem",
    "LivePoll",
    "LivePollAnswer",
    "Question",
    "Quiz",
    "QuizAttempt",
    "Submission",
    "SubmissionAttempt",
    "SubmissionFile",
]
