"""Every model has an admin, and each changelist opens for staff (with search and filters)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

OURS = [model for model in apps.get_models() if model.__module__.startswith("classmeet.")]


def test_every_classmeet_model_is_registered_in_the_admin():
    missing = [model.__name__ for model in OURS if model not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", OURS, ids=lambda m: f"{m._meta.app_label}.{m.__name__}")
def test_changelist_opens_with_search(client, staff, model):
    client.force_login(staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url, {"q": "x"} if admin.site._registry[model].search_fields else {})
    assert response.status_code == 200
