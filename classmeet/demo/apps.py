from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "classmeet.demo"
    label = "demo"
