"""Machine-readable endpoints of the events app, without language prefix."""

from django.urls import path

from . import views

urlpatterns = [
    path("calendar.ics", views.calendar_ics, name="events-calendar"),
    path("events/<int:pk>.ics", views.event_ics, name="events-event-ics"),
]
