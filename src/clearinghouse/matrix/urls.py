"""Pages and exports of the matrix."""

from django.urls import path

from . import views

app_name = "matrix"
urlpatterns = [
    path("", views.matrix_page, name="matrix"),
    path("export/<str:fmt>/", views.matrix_export, name="export"),
    path("gaps/", views.gaps_page, name="gaps"),
    path("gaps/export/<str:fmt>/", views.gaps_export, name="gaps-export"),
    path("cell/<slug:issue>/<slug:institution>/", views.cell_detail, name="cell"),
]
