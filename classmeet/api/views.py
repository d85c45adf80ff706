"""The page where a user creates, names and revokes their personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from classmeet.accounts.selectors import request_user

from .forms import ApiTokenForm
from .selectors import api_token_get, api_token_list
from .services import api_token_create, api_token_revoke

# The plain text of a token just created waits here, in the server-side session, until the page
# that shows it once is rendered (post/redirect/get: reloading that page creates nothing).
NEW_TOKEN_SESSION_KEY = "api_new_token"  # noqa: S105 (a key name, not a secret)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and create one; a new token's plain text is shown this once."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, raw = api_token_create(user=request_user(request), name=form.cleaned_data["name"])
        request.session[NEW_TOKEN_SESSION_KEY] = raw
        return redirect("api:token-list")
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": api_token_list(user=request_user(request)),
            "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        },
        status=400 if form.errors else 200,
    )
    # The plain token may be in this page: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_get(user=request_user(request), token_id=token_id)
    api_token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:token-list")
