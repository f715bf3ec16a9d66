"""Language-prefixed pages of the library."""

from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("library/", views.search, name="search"),
    path("library/<int:pk>/", views.document_detail, name="document"),
    path(
        "library/<int:pk>/cite.<str:fmt>",
        views.document_citation,
        name="citation",
    ),
    path(
        "library/<int:pk>/files/<int:file_pk>/",
        views.document_file,
        name="file",
    ),
]
