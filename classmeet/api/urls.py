"""Mounted at /api/: the versioned REST API, its schema and docs, and the token page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .apis import rooms
from .exceptions import not_found

app_name = "api"

v1 = [
    path(
        "meetings/<int:meeting_id>/ice-servers/",
        rooms.MeetingIceServersApi.as_view(),
        name="meeting-ice-servers",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    re_path(r"^v1/", not_found),
]
