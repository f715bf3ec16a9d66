"""Language-prefixed pages of the library."""

from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("library/", views.search, name="search"),
    path("library/add/", views.document_add, name="add"),
    path("library/upload/", views.document_upload, name="upload"),
    path("library/review/", views.review_queue, name="review"),
    path("library/review/<int:pk>/", views.document_review, name="review-document"),
    path("library/saved/", views.saved_searches, name="saved"),
    path(
        "library/saved/<int:pk>/delete/",
        views.saved_search_delete,
        name="saved-delete",
    ),
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
