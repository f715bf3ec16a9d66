"""sitemap.xml: public pages in every language, with their alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from clearinghouse.actors.models import Institution
from clearinghouse.events.models import Event
from clearinghouse.library.models import Document
from clearinghouse.taxonomy.models import Issue

from .models import Source


class _I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000


class StaticSitemap(_I18nSitemap):
    """The site's entry pages."""

    changefreq = "daily"

    def items(self):
        return [
            "home",
            "matrix:matrix",
            "library:search",
            "federation:sources",
        ]

    def location(self, item):
        return reverse(item)


class IssueSitemap(_I18nSitemap):
    """Issue pages."""

    def items(self):
        return Issue.objects.order_by("slug")


class InstitutionSitemap(_I18nSitemap):
    """Institution pages."""

    def items(self):
        return Institution.objects.order_by("slug")


class DocumentSitemap(_I18nSitemap):
    """Published documents."""

    def items(self):
        return Document.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class EventSitemap(_I18nSitemap):
    """Events."""

    def items(self):
        return Event.objects.order_by("pk")


class SourceSitemap(_I18nSitemap):
    """Partner source pages."""

    def items(self):
        return Source.objects.exclude(status="proposed").order_by("pk")


SITEMAPS = {
    "pages": StaticSitemap,
    "issues": IssueSitemap,
    "institutions": InstitutionSitemap,
    "documents": DocumentSitemap,
    "events": EventSitemap,
    "sources": SourceSitemap,
}
