from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "classmeet.dashboard"
    label = "dashboard"
