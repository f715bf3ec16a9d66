"""Helpers for API output of translated fields."""

from django.conf import settings


def translations(obj, field: str) -> dict[str, str]:
    """{language: value} for every language that has a value."""
    values = {}
    for code, _name in settings.LANGUAGES:
        value = getattr(obj, f"{field}_{code.replace('-', '_')}", "")
        if value:
            values[code] = value
    return values
