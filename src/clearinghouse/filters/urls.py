"""Language-prefixed pages of the governance filters."""

from django.urls import path

from . import views

app_name = "filters"
urlpatterns = [
    path("", views.consensus_page, name="map"),
    path("questions/", views.questions_page, name="questions"),
    path("questions/<slug:key>/edit/", views.question_edit, name="question-edit"),
    path("rules/<slug:key>/edit/", views.rule_edit, name="rule-edit"),
    path("issues/<slug:slug>/", views.issue_page, name="issue"),
    path("issues/<slug:slug>/assess/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.assessment_page, name="assessment"),
    path("export/<slug:what>/<str:fmt>/", views.export, name="export"),
]
