from django.urls import path

from classmeet.rooms import views

app_name = "rooms"
urlpatterns = [
    path("<int:meeting_id>/", views.room, name="room"),
]
