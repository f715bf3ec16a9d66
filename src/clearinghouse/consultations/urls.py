"""URLs of the consultations, under /<lang>/consultations/."""

from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<int:contribution_id>/", views.moderate, name="moderate"),
    path("mine/", views.mine, name="mine"),
    path("<slug:slug>/", views.consultation_detail, name="detail"),
    path("<slug:slug>/synthesis/", views.synthesis, name="synthesis"),
    path(
        "<slug:slug>/synthesis/<str:fmt>/",
        views.synthesis_export,
        name="synthesis-export",
    ),
    path(
        "<slug:slug>/questions/<int:question_id>/contribute/",
        views.contribute,
        name="contribute",
    ),
    path(
        "<slug:slug>/questions/<int:question_id>/choose/", views.choose, name="choose"
    ),
    path(
        "<slug:slug>/contributions/<int:contribution_id>/reply/",
        views.reply,
        name="reply",
    ),
    path(
        "<slug:slug>/contributions/<int:contribution_id>/report/",
        views.report,
        name="report",
    ),
    path("<slug:slug>/statements/<int:statement_id>/vote/", views.vote, name="vote"),
]
