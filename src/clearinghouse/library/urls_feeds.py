"""The library's machine-readable addresses outside the language prefix."""

from django.urls import path

from . import feeds

urlpatterns = [
    path(
        "feeds/library/<str:token>.atom",
        feeds.saved_search_feed,
        name="library-feed",
    ),
]
