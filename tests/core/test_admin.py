"""The secretariat curates every model in the admin, with search and filters."""

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db

CURATED = ["core", "taxonomy", "actors", "matrix", "events", "roadmap"]


def _model_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in CURATED
    ]


def test_every_curated_model_has_search_and_the_main_ones_filters():
    for model, model_admin in _model_admins():
        assert model_admin.search_fields, model


def test_every_admin_list_search_and_add_page_renders(
    secretariat_client, secretariat, forum2004, rf
):
    request = rf.get("/admin/")
    request.user = secretariat
    for model, model_admin in _model_admins():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert secretariat_client.get(base).status_code == 200, base
        assert secretariat_client.get(base + "?q=internet").status_code == 200, base
        # Some records are written only by their services (earlier forecasts).
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert secretariat_client.get(base + "add/").status_code == expected, base
        obj = model.objects.first()
        if obj is not None:
            change = f"{base}{obj.pk}/change/"
            assert secretariat_client.get(change).status_code == 200, change
            history = f"{base}{obj.pk}/history/"
            assert secretariat_client.get(history).status_code == 200, history


def test_the_public_cannot_reach_the_admin(client, participant):
    assert client.get("/admin/matrix/mandate/").status_code == 302
    client.force_login(participant)
    assert client.get("/admin/matrix/mandate/").status_code == 302
