"""Personal API tokens: hashed at rest, shown once, refused once revoked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.api.models import ApiToken, hash_secret
from classmeet.api.services import (
    LAST_USED_RESOLUTION,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

pytestmark = pytest.mark.django_db

ICE_URL = "api:meeting-ice-servers"


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_api_token_create_stores_only_a_hash_of_the_secret(student):
    token, raw = api_token_create(user=student, name="sis sync")
    prefix, key_id, secret = raw.split("_", 2)
    assert prefix == "cm"
    assert key_id == token.key_id
    assert len(secret) >= 40  # 32 random bytes, url-safe base64
    row = ApiToken.objects.values().get(pk=token.pk)
    stored = " ".join(str(v) for v in row.values())
    assert secret not in stored
    assert raw not in stored
    assert row["secret_hash"] == hash_secret(secret)


def test_api_token_create_gives_different_secrets(student):
    raws = {api_token_create(user=student, name=f"t{i}")[1] for i in range(5)}
    assert len(raws) == 5


def test_api_token_authenticate_accepts_the_token_and_notes_its_use(student):
    token, raw = api_token_create(user=student, name="n")
    assert token.last_used_at is None
    found = api_token_authenticate(raw=raw)
    assert found is not None
    assert found.pk == token.pk
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_api_token_authenticate_writes_last_used_at_at_most_once_a_minute(
    student, django_assert_num_queries
):
    token, raw = api_token_create(user=student, name="n")
    api_token_authenticate(raw=raw)
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        api_token_authenticate(raw=raw)
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    )
    with django_assert_num_queries(2):
        api_token_authenticate(raw=raw)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: raw.replace("cm_", "xx_", 1),  # wrong prefix
        lambda raw: raw.rsplit("_", 1)[0],  # no secret
        lambda raw: "",
        lambda raw: "cm__",
        lambda raw: "cm_" + "0" * 12 + "_" + raw.split("_", 2)[2],  # another key id
    ],
)
def test_api_token_authenticate_refuses_wrong_tokens(student, mangle):
    _token, raw = api_token_create(user=student, name="n")
    assert api_token_authenticate(raw=mangle(raw)) is None


def test_revoked_token_is_refused_by_the_api(student, live_meeting, enrollment):
    token, raw = api_token_create(user=student, name="n")
    client = _bearer(raw)
    url = reverse(ICE_URL, kwargs={"meeting_id": live_meeting.pk})
    assert client.get(url).status_code == 200
    api_token_revoke(token=token)
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid or revoked token.",
        "code": "authentication_failed",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_api_token_revoke_keeps_the_first_revocation_time(student):
    token, _raw = api_token_create(user=student, name="n")
    first = api_token_revoke(token=token).revoked_at
    assert api_token_revoke(token=token).revoked_at == first


def test_token_of_a_deactivated_user_is_refused(student, live_meeting, enrollment):
    _token, raw = api_token_create(user=student, name="n")
    student.is_active = False
    student.save(update_fields=["is_active"])
    url = reverse(ICE_URL, kwargs={"meeting_id": live_meeting.pk})
    assert _bearer(raw).get(url).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"])
def test_malformed_authorization_headers_get_401(student, live_meeting, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("latin-1").decode("latin-1"))
    response = client.get(reverse(ICE_URL, kwargs={"meeting_id": live_meeting.pk}))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_authenticates_as_its_own_user_only(student, outsider, live_meeting, enrollment):
    _token, raw = api_token_create(user=outsider, name="n")
    response = _bearer(raw).get(reverse(ICE_URL, kwargs={"meeting_id": live_meeting.pk}))
    assert response.status_code == 404


# The token page -----------------------------------------------------------------------------


def test_token_page_needs_sign_in(client):
    response = client.get(reverse("api:token-list"))
    assert response.status_code == 302
    assert reverse("accounts:signin") in response["Location"]


def test_token_page_shows_the_new_token_once_and_never_again(client, student):
    client.force_login(student)
    created = client.post(reverse("api:token-list"), {"name": "timetable sync"})
    assert created.status_code == 302  # post/redirect/get: reloading creates nothing
    response = client.get(created["Location"])
    assert response["Cache-Control"] == "no-store"
    raw = response.context["new_token"]
    assert raw.startswith("cm_")
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=student)
    assert token.name == "timetable sync"
    again = client.get(reverse("api:token-list"))
    page = again.content.decode()
    assert raw not in page
    assert raw.split("_", 2)[2] not in page
    assert "timetable sync" in page
    assert token.display_prefix in page
    assert "api_new_token" not in client.session
    # ...and the API answers to it.
    live = _bearer(raw).get(reverse("api:schema"))
    assert live.status_code == 200


def test_token_page_rejects_a_blank_name(client, student):
    client.force_login(student)
    response = client.post(reverse("api:token-list"), {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    assert response.context["new_token"] is None


def test_token_page_lists_only_own_tokens(client, student, outsider):
    api_token_create(user=outsider, name="outsider secret name")
    api_token_create(user=student, name="mine")
    client.force_login(student)
    page = client.get(reverse("api:token-list")).content.decode()
    assert "mine" in page
    assert "outsider secret name" not in page


def test_token_revoke_from_the_page(client, student, live_meeting, enrollment):
    token, raw = api_token_create(user=student, name="n")
    client.force_login(student)
    response = client.post(reverse("api:token-revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    url = reverse(ICE_URL, kwargs={"meeting_id": live_meeting.pk})
    assert _bearer(raw).get(url).status_code == 401


def test_token_revoke_of_another_users_token_is_404(client, student):
    other = StudentFactory.create()
    token, _raw = api_token_create(user=other, name="n")
    client.force_login(student)
    response = client.post(reverse("api:token-revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_revoke_refuses_get(client, student):
    token, _raw = api_token_create(user=student, name="n")
    client.force_login(student)
    response = client.get(reverse("api:token-revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_requires_csrf(student):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(reverse("api:token-list"), {"name": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_profile_page_links_the_token_page(client, student):
    client.force_login(student)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("api:token-list") in page
