from __future__ import annotations

from django.urls import path

from . import views

app_name = "kvalitet"

urlpatterns = [
    path("klager/", views.complaint_list, name="complaint_list"),
    path("klager/ny/", views.complaint_create, name="complaint_create"),
    path("klager/<str:ref>/", views.complaint_edit, name="complaint_edit"),
    path("tilbud/<str:ref>/brugerundersoegelse/", views.survey_link, name="survey_link"),
    path("svar/<str:token>/", views.survey_answer, name="survey_answer"),
    path("stikproever/", views.spot_check_list, name="spot_check_list"),
    path("stikproever/<int:pk>/", views.spot_check_detail, name="spot_check_detail"),
    path("stikproever/sag/<int:pk>/", views.case_review, name="case_review"),
    path("import/", views.import_data, name="import_data"),
    path("import/koersler/<int:pk>/", views.import_run, name="import_run"),
    path("leverandoerer/<str:ref>/kvalitet/", views.provider_tracks, name="provider_tracks"),
    path("tilbud/<str:ref>/kvalitet/", views.offer_tracks, name="offer_tracks"),
]
