"""URL of the participation page, /<lang>/participation/."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [path("", views.participation, name="participation")]
