"""Language-prefixed pages of the events app."""

from django.urls import path, re_path

from . import views

app_name = "events"
urlpatterns = [
    path("events/", views.upcoming, name="upcoming"),
    path("events/past/", views.past, name="past"),
    path("events/month/", views.month_current, name="month-current"),
    re_path(
        r"^events/month/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.month,
        name="month",
    ),
    path("events/import/", views.calendar_import, name="import"),
    path("events/<int:pk>/", views.event_detail, name="event"),
]
