from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "classmeet.coursework"
    label = "coursework"
