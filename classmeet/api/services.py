"""Write operations of the API app: personal tokens."""

import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from classmeet.accounts.models import User

from .models import TOKEN_PREFIX, ApiToken, hash_secret

# last_used_at is written at most this often per token, so each request doesn't cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain text, which is never available again."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), key_id=key_id, secret_hash=hash_secret(secret))
    token.full_clean()
    token.save()
    return token, f"{TOKEN_PREFIX}_{key_id}_{secret}"


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token for good; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """Return the active token whose plain text is `raw` (and note its use), or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_id=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(parts[2])):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
