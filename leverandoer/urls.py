from __future__ import annotations

from django.urls import path

from . import views

app_name = "leverandoer"

urlpatterns = [
    path("leverandoerer/", views.provider_list, name="provider_list"),
    path("leverandoerer/ny/", views.provider_create, name="provider_create"),
    path("leverandoerer/<str:ref>/", views.provider_detail, name="provider_detail"),
    path("leverandoerer/<str:ref>/rediger/", views.provider_edit, name="provider_edit"),
    path("leverandoerer/<str:ref>/henvisning/", views.provider_referral, name="provider_referral"),
    path("aftaler/", views.agreement_list, name="agreement_list"),
    path("aftaler/ny/", views.agreement_create, name="agreement_create"),
    path("aftaler/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("aftaler/<int:pk>/rediger/", views.agreement_edit, name="agreement_edit"),
    path("tilbud/", views.offer_list, name="offer_list"),
    path("tilbud/nyt/", views.offer_create, name="offer_create"),
    path("tilbud/<str:ref>/", views.offer_detail, name="offer_detail"),
    path("tilbud/<str:ref>/rediger/", views.offer_edit, name="offer_edit"),
    path("tilbud/<str:ref>/henvisning/", views.offer_referral, name="offer_referral"),
    path("sammenlignelige-grupper/", views.comparable_group_list, name="comparable_group_list"),
]
