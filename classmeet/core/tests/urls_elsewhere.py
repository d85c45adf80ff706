"""Another URLconf for test_reversing: the course page under another path."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("classmeet.courses.urls"))]
