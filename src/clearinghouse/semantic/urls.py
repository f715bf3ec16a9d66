"""Language-prefixed pages of cross-lingual discovery, beside the library's."""

from django.urls import path

from . import views

app_name = "semantic"
urlpatterns = [
    path("library/discover/", views.discover, name="discover"),
    path("library/suggestions/", views.suggestions, name="suggestions"),
    path("library/<int:pk>/similar/", views.similar, name="similar"),
]
