from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "classmeet.api"
    label = "api"
