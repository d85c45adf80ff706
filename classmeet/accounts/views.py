from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

signin = auth_views.LoginView.as_view(template_name="accounts/signin.html")
logout_view = auth_views.LogoutView.as_view()


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")
