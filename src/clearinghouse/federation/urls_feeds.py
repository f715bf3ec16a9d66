"""Machine-readable endpoints of federation, without language prefix.

Feeds and the sitemap answer GET and HEAD only; OAI-PMH also takes POST, as its
specification allows for long requests.
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from . import feeds_out, provider
from .sitemaps import SITEMAPS

urlpatterns = [
    path("oai", provider.oai, name="federation-oai"),
    path(
        "feeds/issues/<slug:slug>.atom",
        require_safe(feeds_out.IssueFeed()),
        name="federation-feed-issue",
    ),
    path(
        "feeds/institutions/<slug:slug>.atom",
        require_safe(feeds_out.InstitutionFeed()),
        name="federation-feed-institution",
    ),
    path(
        "feeds/types/<slug:code>.atom",
        require_safe(feeds_out.TypeFeed()),
        name="federation-feed-type",
    ),
    path(
        "sitemap.xml",
        require_safe(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
