from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "classmeet.meetings"
    label = "meetings"
