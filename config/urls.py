"""Top-level URLs: each app mounts its own urls module under the seed's prefixes."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from classmeet.core.views import favicon

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:dashboard", permanent=False)),
    # Browsers ask for /favicon.ico on every page that names no icon (the admin, files).
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("auth/", include("classmeet.accounts.urls")),
    # Django's set_language view (POST, CSRF-protected): the sign-in page's language picker.
    path("i18n/", include("django.conf.urls.i18n")),
    path("classmeet/", include("classmeet.dashboard.urls")),
    path("courses/", include("classmeet.courses.urls")),
    path("discussions/", include("classmeet.discussions.urls")),
    path("notifications/", include("classmeet.notifications.urls")),
    path("meetings/", include("classmeet.meetings.urls")),
    path("coursework/", include("classmeet.coursework.urls")),
    path("meetings/room/", include("classmeet.rooms.urls")),
    path("recordings/", include("classmeet.recordings.urls")),
    path("api/", include("classmeet.api.urls")),
]

handler400 = "classmeet.core.views.bad_request"
handler403 = "classmeet.core.views.permission_denied"
handler404 = "classmeet.core.views.page_not_found"
handler500 = "classmeet.core.views.server_error"
