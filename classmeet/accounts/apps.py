from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "classmeet.accounts"
    label = "accounts"
