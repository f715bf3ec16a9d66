"""The six working languages and their codes in settings, field names and data."""

from django.conf import settings

# Language codes as Django uses them ("zh-hans") and as field suffixes ("zh_hans").
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


def field_suffix(language: str) -> str:
    """Return the modeltranslation field suffix for a language code."""
    return language.replace("-", "_")


def translated_values(field: str, values: dict[str, str]) -> dict[str, str]:
    """Map {"en": …, "zh_hans": …} onto model field names such as name_zh_hans."""
    return {
        f"{field}_{field_suffix(code)}": values.get(field_suffix(code), "") or ""
        for code in LANGUAGE_CODES
    }
