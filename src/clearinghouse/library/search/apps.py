"""The search package as a Django app: only for the PostgreSQL backend's table."""

from django.apps import AppConfig


class LibrarySearchConfig(AppConfig):
    """Owns the migration that creates the PostgreSQL search table (no models)."""

    name = "clearinghouse.library.search"
    label = "library_search"
    verbose_name = "Library search"
    default_auto_field = "django.db.models.BigAutoField"
