from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
]
