from __future__ import annotations

from django.urls import path

from . import views

app_name = "rapporter"

urlpatterns = [
    path("rapporter/", views.report_list, name="report_list"),
    path("rapporter/koersel/<int:pk>/", views.run_detail, name="run_detail"),
    path("rapporter/<str:period>/v<int:version>/", views.report_detail, name="report_detail"),
    path("rapporter/<str:period>/v<int:version>/gennemgang/", views.report_review, name="report_review"),
    path("rapporter/<str:period>/v<int:version>/pdf/", views.report_pdf, name="report_pdf"),
    path("rapporter/<str:period>/v<int:version>/eksport.xlsx", views.report_export, name="report_export_xlsx"),
    path(
        "rapporter/<str:period>/v<int:version>/eksport/<str:table>.csv", views.report_export, name="report_export_csv"
    ),
    path("rapporter/<str:period>/v<int:version>/godkend/", views.report_approve, name="report_approve"),
    path("rapporter/<str:period>/v<int:version>/publicer/", views.report_publish, name="report_publish"),
    path("rapporter/<str:period>/v<int:version>/kasser/", views.report_discard, name="report_discard"),
]
