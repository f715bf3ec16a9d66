"""URL configuration: language-prefixed pages, then machine-readable endpoints."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from clearinghouse import views as site_views
from clearinghouse.api.api import api
from clearinghouse.core import views as core_views
from clearinghouse.taxonomy import views as taxonomy_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("taxonomy.ttl", taxonomy_views.skos_turtle, name="taxonomy-ttl"),
    path("taxonomy.jsonld", taxonomy_views.skos_jsonld, name="taxonomy-jsonld"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path("source.tar.gz", core_views.source_code, name="source-code"),
    path("admin/", admin.site.urls),
    path("", include("clearinghouse.events.urls_feeds")),
    path("", include("clearinghouse.roadmap.urls_feeds")),
    path("", include("clearinghouse.library.urls_feeds")),
    path("", include("clearinghouse.federation.urls_feeds")),
]

urlpatterns += i18n_patterns(
    path("", site_views.home, name="home"),
    path("", include("clearinghouse.taxonomy.urls")),
    path("", include("clearinghouse.actors.urls")),
    path("matrix/", include("clearinghouse.matrix.urls")),
    path("", include("clearinghouse.events.urls")),
    path("", include("clearinghouse.roadmap.urls")),
    path("filters/", include("clearinghouse.filters.urls")),
    path("", include("clearinghouse.library.urls")),
    path("accounts/", include("clearinghouse.accounts.urls")),
    path("consultations/", include("clearinghouse.consultations.urls")),
    path("participation/", include("clearinghouse.analytics.urls")),
    path("", include("clearinghouse.federation.urls")),
    path("", include("clearinghouse.semantic.urls")),
    prefix_default_language=True,
)

handler400 = "clearinghouse.core.views.bad_request"
handler404 = "clearinghouse.core.views.page_not_found"
handler500 = "clearinghouse.core.views.server_error"
