from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "classmeet.core"
    label = "core"
