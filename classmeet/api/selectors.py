"""Read operations of the API app: personal tokens."""

from django.db.models import QuerySet
from django.http import Http404

from classmeet.accounts.models import User

from .models import ApiToken


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    """Return one of the user's own tokens; another user's token is as missing as no token."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404
    return token
