"""Pages of the taxonomy."""

from django.urls import path

from . import views

app_name = "taxonomy"
urlpatterns = [
    path("issues/", views.issue_list, name="issues"),
    path("issues/<slug:slug>/", views.issue_detail, name="issue"),
]
