"""The OpenAPI schema at /api/schema/ and the Swagger UI at /api/docs/ (local assets only)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)  # raises on an invalid OpenAPI document
    return generated


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_schema_is_served_as_json_to_anyone():
    response = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert any(path.startswith("/api/v1/") for path in body["paths"])


def test_every_operation_has_a_summary_and_its_error_codes(schema):
    operations = list(_operations(schema))
    assert operations
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        responses = operation["responses"]
        for code in ("401", "403", "404", "429"):
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", where
        if method in {"post", "put", "patch"}:
            assert "400" in responses, where
        success = [code for code in responses if code.startswith("2")]
        assert success, where
        for code in success:
            if code != "204":
                assert responses[code].get("content"), f"{where} {code} has no typed body"


def test_every_operation_needs_authentication(schema):
    for path, method, operation in _operations(schema):
        security = operation.get("security", [])
        assert {"tokenAuth": []} in security, f"{method} {path}"
        assert {} not in security, f"{method} {path} allows anonymous access"


def test_component_names_do_not_collide(schema):
    # Nested Input/OutputSerializers are named after their view (CourseCreateOutput...).
    names = set(schema["components"]["schemas"])
    assert "Output" not in names
    assert "Input" not in names
    assert "MeetingIceServersOutput" in names


def test_swagger_ui_loads_only_local_assets(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith("/"), url  # no CDN, no other host
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    script = next(u for u in urls if "script" in u and not u.startswith("/static/"))
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in init.content.decode()
