import factory
from factory.django import DjangoModelFactory

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.models import Course, Enrollment, Material


class CourseFactory(DjangoModelFactory[Course]):
    class Meta:
        model = Course

    teacher = factory.SubFactory(TeacherFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    description = "A course."


class EnrollmentFactory(DjangoModelFactory[Enrollment]):
    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    student = factory.SubFactory(StudentFactory)


class MaterialFactory(DjangoModelFactory[Material]):
    class Meta:
        model = Material

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Material {n}")
    file = factory.django.FileField(filename="notes.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "notes.pdf"
    content_type = "application/pdf"
    size = 15
    uploaded_by = factory.LazyAttribute(lambda m: m.course.teacher)
