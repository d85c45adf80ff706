from django.urls import path

from classmeet.rooms.sfu.consumer import SfuConsumer

websocket_urlpatterns = [
    path("ws/meeting/<int:meeting_id>/", SfuConsumer.as_asgi()),
]
