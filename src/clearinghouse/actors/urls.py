"""Pages of institutions."""

from django.urls import path

from . import views

app_name = "actors"
urlpatterns = [
    path("institutions/", views.institution_list, name="institutions"),
    path("institutions/<slug:slug>/", views.institution_detail, name="institution"),
]
