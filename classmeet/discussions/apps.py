from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "classmeet.discussions"
    label = "discussions"
