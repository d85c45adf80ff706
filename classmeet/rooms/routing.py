from django.urls import path

from classmeet.rooms.classroom import ClassroomConsumer

websocket_urlpatterns = [
    path("ws/meeting/<int:meeting_id>/", ClassroomConsumer.as_asgi()),
]
