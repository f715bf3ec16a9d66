"""Language-prefixed pages of federation."""

from django.urls import path

from . import views

app_name = "federation"
urlpatterns = [
    path("sources/", views.source_list, name="sources"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
]
