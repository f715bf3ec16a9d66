"""Machine-readable endpoints of the roadmap app, without language prefix."""

from django.urls import path

from . import views

urlpatterns = [
    path("roadmap.ics", views.roadmap_ics, name="roadmap-ics"),
]
