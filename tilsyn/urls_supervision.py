"""URLs of the supervision domain (namespace `tilsyn`)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "tilsyn"

urlpatterns = [
    path("tilsyn/", views.inspection_list, name="inspection_list"),
    path("tilsyn/nyt/", views.inspection_create, name="inspection_create"),
    path("tilsyn/<str:ref>/", views.inspection_detail, name="inspection_detail"),
    path("tilsyn/<str:ref>/rediger/", views.inspection_edit, name="inspection_edit"),
    path("tilsyn/<str:ref>/fund/", views.inspection_record, name="inspection_record"),
    path("tilsyn/<str:ref>/rapport/", views.inspection_report, name="inspection_report"),
    path("tilsyn/<str:ref>/vurdering/", views.inspection_assess, name="inspection_assess"),
    path("tilsyn/<str:ref>/luk/", views.inspection_close, name="inspection_close"),
    path("tiltag/<int:pk>/udfoert/", views.measure_done, name="measure_done"),
    path("opfoelgning/<int:pk>/udfoert/", views.follow_up_done, name="follow_up_done"),
    path("plan/", views.supervision_plan, name="plan"),
    path("plan/<int:year>/forslag/<str:ref>/", views.plan_suggestion, name="plan_suggestion"),
    path("kalender/", views.calendar_page, name="calendar"),
    path("kalender/ny-adresse/", views.calendar_renew, name="calendar_renew"),
    path("kalender/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("opfoelgningssager/", views.case_list, name="case_list"),
    path("opfoelgningssager/ny/", views.case_open, name="case_open"),
    path("opfoelgningssager/<str:ref>/", views.case_detail, name="case_detail"),
    path("opfoelgningssager/<str:ref>/journalnummer/", views.case_number, name="case_number"),
    path("opfoelgningssager/<str:ref>/tiltag/", views.case_measure_add, name="case_measure_add"),
    path("opfoelgningssager/<str:ref>/luk/", views.case_close, name="case_close"),
    path("handleplaner/", views.action_plan_list, name="action_plan_list"),
    path("handleplaner/<int:pk>/", views.action_plan_edit, name="action_plan_edit"),
    path("handleplaner/<int:pk>/fil/", views.action_plan_file, name="action_plan_file"),
]
