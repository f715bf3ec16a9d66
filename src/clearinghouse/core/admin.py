"""Admin for countries and regions (reference data: read-mostly), and the
mixin that shows curated records' missing translations."""

from functools import reduce
from operator import or_

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from .languages import LANGUAGE_CODES
from .models import Country, Region


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Country)
class CountryAdmin(TranslationAdmin):
    list_display = (
        "iso2",
        "name",
        "region",
        "subregion",
        "development_status",
        "is_ldc",
        "is_lldc",
        "is_sids",
    )
    list_filter = ("development_status", "is_ldc", "is_lldc", "is_sids", "region")
    search_fields = ("iso2", "iso3", "numeric", "name", "name_en")
    list_select_related = ("region", "subregion")


def _translated_fields(model) -> list[str]:
    return list(translator.get_options_for_model(model).fields)


def _empty(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{name: ""})


def _filled(name: str) -> Q:
    # NULL > '' is unknown, so NULL and '' both fail, without a negated OR.
    return Q(**{f"{name}__gt": ""})


def missing_languages(obj) -> list[str]:
    """Languages in which a translated field of obj is empty while another has it."""
    missing = []
    for code in LANGUAGE_CODES:
        for field in _translated_fields(type(obj)):
            values = {
                other: getattr(obj, build_localized_fieldname(field, other), None)
                for other in LANGUAGE_CODES
            }
            if not values[code] and any(values.values()):
                missing.append(code)
                break
    return missing


class MissingTranslationFilter(admin.SimpleListFilter):
    """Records with a text written in some language but not in the chosen one."""

    title = _("missing translations")
    parameter_name = "missing_translation"

    def lookups(self, request, model_admin):
        return [
            (code, get_language_info(code)["name_translated"])
            for code in LANGUAGE_CODES
        ]

    def queryset(self, request, queryset):
        code = self.value()
        if code not in LANGUAGE_CODES:
            return queryset
        conditions = []
        for field in _translated_fields(queryset.model):
            others = [
                _filled(build_localized_fieldname(field, other))
                for other in LANGUAGE_CODES
                if other != code
            ]
            conditions.append(
                _empty(build_localized_fieldname(field, code)) & reduce(or_, others)
            )
        return queryset.filter(reduce(or_, conditions))


class MissingTranslationsAdminMixin:
    """Adds a "missing translations" column and filter to a translated model's admin."""

    def get_list_display(self, request):
        return (*super().get_list_display(request), "missing_translations")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), MissingTranslationFilter)

    @admin.display(description=_("missing translations"))
    def missing_translations(self, obj) -> str:
        return ", ".join(missing_languages(obj)) or "—"
