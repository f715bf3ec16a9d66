"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")

application = get_wsgi_application()

from clearinghouse.core.runtime import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
