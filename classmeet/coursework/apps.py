from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "classmeet.coursework"
    label = "coursework"

    def ready(self) -> None:
        # Due dates and quiz closes in the users' calendar feeds (meetings sits below us).
        from classmeet.meetings.ics import calendar_source_register

        from .ics import coursework_calendar_entries

        calendar_source_register(coursework_calendar_entries)

        # The course page's assignments section, planned with the page's other sections.
        from classmeet.courses.sections import register_course_section

        from .templatetags.coursework_sections import course_assignments_plan

        register_course_section("assignments", course_assignments_plan)

        # A deleted course's coursework files go with it.
        from classmeet.courses.signals import course_deleting

        from .receivers import course_files_collect

        course_deleting.connect(course_files_collect, dispatch_uid="coursework-course-files")
