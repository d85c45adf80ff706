"""Account pages: sign-up, sign-in, logout, password change/reset and the profile."""

from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classmeet.core.ratelimit import ratelimit
from classmeet.core.redirects import safe_next_path

from . import forms, services
from .models import User
from .selectors import teacher_signup_mode


def _safe_next(request: HttpRequest) -> str:
    """Return the `next` parameter when it points inside this site, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_path(request, target, default=reverse(settings.LOGIN_REDIRECT_URL))


def _add_errors(form: django_forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its fields when they are in the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# Per client IP, on POST only. Generous enough for a class signing up behind one school NAT.
@ratelimit(scope="signup", default_rate="30/hour")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                invite_code=data.get("invite_code", ""),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # The axes backend needs the request to authenticate; here the password is known good.
            login(request, user, backend="classmeet.accounts.backends.UserBackend")
            messages.success(request, _("Welcome to Classmeet, %(name)s!") % {"name": user})
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/signup.html",
        {
            "form": form,
            "next": _safe_next(request) if request.GET.get("next") else "",
            "teacher_mode": teacher_signup_mode().value,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


class SigninView(auth_views.LoginView):
    template_name = "accounts/signin.html"
    authentication_form = forms.SigninForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    """POST logs out; GET asks for confirmation with a POST form (no logout by a mere link)."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/logout_confirm.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(settings.LOGOUT_REDIRECT_URL)
        return render(request, self.template_name)


# django-axes locks one username per IP; this also stops one IP trying many usernames.
signin = ratelimit(scope="signin", default_rate="60/minute")(SigninView.as_view())
logout_view = LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change_form.html",
    form_class=forms.PasswordChangeForm,
    success_url=reverse_lazy("accounts:password-change-done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = ratelimit(scope="password-reset", default_rate="10/hour")(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        form_class=forms.PasswordResetForm,
        email_template_name="accounts/email/password_reset_email.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        extra_email_context={"site_name": "Classmeet"},
        success_url=reverse_lazy("accounts:password-reset-done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=forms.SetPasswordForm,
    success_url=reverse_lazy("accounts:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    # A fresh copy: a rejected form must not leave half-edited fields on request.user.
    form = forms.ProfileForm(
        request.POST or None, instance=User.objects.get(pk=request.user.pk or 0)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_profile_update(
                user=form.instance,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                language=data["language"],
                timezone_name=data["timezone"],
                email_notifications=data["email_notifications"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # The confirmation already in the language just chosen (the next page is in it).
            translation.activate(
                form.instance.language or translation.get_language_from_request(request)
            )
            messages.success(request, _("Your profile was saved."))
            return HttpResponseRedirect(reverse("accounts:profile"))
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "nav": "profile"},
        status=400 if form.is_bound and form.errors else 200,
    )
