"""The static storage keeps each file's URL: the same URLs as whitenoise's storage, every time."""

import json

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import Context, Template
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

MANIFEST = {"version": "1.1", "hash": "x", "paths": {"core/app.css": "core/app.0123abcd.css"}}
OURS = {"BACKEND": "classmeet.core.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture
def static_root(tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps(MANIFEST))
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    with override_settings(
        STATIC_ROOT=str(tmp_path), STORAGES={"default": default, "staticfiles": OURS}
    ):
        yield tmp_path


def _static(path: str) -> str:
    return Template("{% load static %}{% static p %}").render(Context({"p": path}))


def test_urls_are_whitenoises(static_root):
    theirs = CompressedManifestStaticFilesStorage(location=str(static_root))
    for _ in range(2):  # worked out, then kept
        assert staticfiles_storage.url("core/app.css") == theirs.url("core/app.css")
        assert _static("core/app.css") == "/static/core/app.0123abcd.css"
    assert staticfiles_storage._urls  # type: ignore[attr-defined]  # kept


def test_a_name_not_in_the_manifest_is_refused_every_time(static_root):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("core/missing.css")


def test_settings_that_change_urls_change_them_at_once(static_root):
    assert _static("core/app.css") == "/static/core/app.0123abcd.css"
    with override_settings(DEBUG=True):  # unhashed names
        assert _static("core/app.css") == "/static/core/app.css"
    with override_settings(STATIC_URL="/elsewhere/"):
        assert _static("core/app.css") == "/elsewhere/core/app.0123abcd.css"
    assert _static("core/app.css") == "/static/core/app.0123abcd.css"
