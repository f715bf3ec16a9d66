"""Machine-readable endpoints of federation, without language prefix."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds_out, provider
from .sitemaps import SITEMAPS

urlpatterns = [
    path("oai", provider.oai, name="federation-oai"),
    path(
        "feeds/issues/<slug:slug>.atom",
        feeds_out.IssueFeed(),
        name="federation-feed-issue",
    ),
    path(
        "feeds/institutions/<slug:slug>.atom",
        feeds_out.InstitutionFeed(),
        name="federation-feed-institution",
    ),
    path(
        "feeds/types/<slug:code>.atom",
        feeds_out.TypeFeed(),
        name="federation-feed-type",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
