import pytest

pytestmark = pytest.mark.django_db


def test_root_redirects_to_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/classmeet/dashboard/"


def test_request_id_header_is_set(client):
    response = client.get("/auth/signin/", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"
