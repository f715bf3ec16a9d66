"""The six working languages and their codes in settings, field names and data."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, resolution_order

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


@dataclass(frozen=True)
class Shown:
    """A translated field's value as shown in the active language."""

    text: str
    language: str  # the language the text is written in
    fallback: bool  # True when no translation exists in the active language


def shown_value(obj, field: str) -> Shown:
    """The value modeltranslation shows for `field`, and the language it comes from.

    Follows the same resolution order as the field's descriptor (the active
    language, then the model's or the project's fallback languages).
    """
    active = get_language() or settings.LANGUAGE_CODE
    descriptor = type(obj).__dict__.get(field)
    override = getattr(descriptor, "fallback_languages", None)
    for language in resolution_order(active, override):
        value = getattr(obj, build_localized_fieldname(field, language), None)
        if value:
            return Shown(str(value), language, language != active)
    return Shown("", active, False)


# The marker beside text shown in its original language, one phrase per
# language so that each translation can take its own grammatical form.
IN_LANGUAGE = {
    "ar": _("(in Arabic)"),
    "zh-hans": _("(in Chinese)"),
    "en": _("(in English)"),
    "fr": _("(in French)"),
    "ru": _("(in Russian)"),
    "es": _("(in Spanish)"),
}


def marked_html(obj, field: str) -> SafeString:
    """The field's text, marked with its language when it is not the page's."""
    shown = shown_value(obj, field)
    if not shown.fallback:
        return escape(shown.text)
    direction = "rtl" if get_language_info(shown.language)["bidi"] else "ltr"
    return format_html(
        '<span lang="{}" dir="{}">{}</span> <small class="fallback">{}</small>',
        shown.language,
        direction,
        shown.text,
        IN_LANGUAGE.get(shown.language, f"({shown.language})"),
    )
