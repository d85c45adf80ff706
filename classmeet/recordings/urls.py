from django.urls import path

from classmeet.recordings import views

app_name = "recordings"

urlpatterns = [
    path("meeting/<int:meeting_id>/start/", views.recording_start, name="start"),
    path("<int:recording_id>/chunks/<int:seq>/", views.recording_chunk, name="chunk"),
    path("<int:recording_id>/stop/", views.recording_stop, name="stop"),
    path("<int:recording_id>/feeds/", views.recording_feeds, name="feeds"),
    path("<int:recording_id>/status/", views.recording_status, name="status"),
    path("<int:recording_id>/file/", views.recording_file, name="file"),
    path("<int:recording_id>/rename/", views.recording_rename, name="rename"),
    path("<int:recording_id>/delete/", views.recording_delete, name="delete"),
]
