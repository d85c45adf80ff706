import factory
from factory.django import DjangoModelFactory

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory
from classmeet.discussions.models import Comment, Discussion, Vote
from classmeet.discussions.rendering import render_markdown


class DiscussionFactory(DjangoModelFactory[Discussion]):
    class Meta:
        model = Discussion

    course = factory.SubFactory(CourseFactory)
    author = factory.LazyAttribute(lambda d: d.course.teacher)
    title = factory.Sequence(lambda n: f"Question {n}")
    body = "How do **waves** work?"
    body_html = factory.LazyAttribute(lambda d: render_markdown(d.body))


class CommentFactory(DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    discussion = factory.SubFactory(DiscussionFactory)
    author = factory.SubFactory(StudentFactory)
    body = "Like this."
    body_html = factory.LazyAttribute(lambda c: render_markdown(c.body))


class VoteFactory(DjangoModelFactory[Vote]):
    class Meta:
        model = Vote

    user = factory.SubFactory(StudentFactory)
