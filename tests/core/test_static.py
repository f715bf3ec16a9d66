"""Static files are collected, hashed and served by us: no CDN."""

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.django_db
def test_pages_render_with_collected_hashed_static_files(client, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        response = client.get("/en/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/css/site." in html and ".css" in html
        assert "/static/css/site.css" not in html  # the hashed name is used
        assert "http://" not in html.split("<body")[0]
        assert "https://" not in html.split("<body")[0]
        assert list(tmp_path.glob("css/site.*.css.gz"))
