"""Language-prefixed pages of the roadmap app: the road map and the proposals."""

from django.urls import path

from . import views

app_name = "roadmap"
urlpatterns = [
    path("roadmap/", views.timeline, name="timeline"),
    path("roadmap/due/", views.due, name="due"),
    path("roadmap/slipped/", views.slipped, name="slipped"),
    path("roadmap/export/<str:fmt>/", views.milestone_export, name="export"),
    path("roadmap/<slug:slug>/", views.milestone_detail, name="milestone"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/export/<str:fmt>/", views.proposal_export, name="proposals-export"),
    path("proposals/<slug:slug>/", views.proposal_detail, name="proposal"),
    path(
        "proposals/<slug:slug>/updates/",
        views.proposal_update_add,
        name="proposal-update",
    ),
]
