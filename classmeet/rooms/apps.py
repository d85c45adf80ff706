from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "classmeet.rooms"
    label = "rooms"
