from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "classmeet.courses"
    label = "courses"
