from django.urls import path
from django.views.generic import TemplateView

app_name = "meetings"
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="meeting-list"),
    path(
        "<int:meeting_id>/", TemplateView.as_view(template_name="base.html"), name="meeting-detail"
    ),
]
