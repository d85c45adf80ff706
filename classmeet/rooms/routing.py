from django.urls import path

from classmeet.rooms.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/meeting/<int:meeting_id>/", RoomConsumer.as_asgi()),
]
