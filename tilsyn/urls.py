"""URLs. Every view declares its roles; the public ones are marked `public` here and are few."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from leverandoer.access import public

from . import views
from .accessibility import accessibility_statement

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", public(views.LogoutView.as_view()), name="logout"),
    path("sprog/", public(set_language), name="set_language"),
    path("tilgaengelighed/", accessibility_statement, name="accessibility"),
    path("system/", views.system_status, name="system_status"),
    path("system/ping/", views.worker_ping, name="worker_ping"),
    path("", include("leverandoer.urls")),
    path("", include("tilsyn.urls_supervision")),
    path("", include("kvalitet.urls")),
    path("", include("rapporter.urls")),
    path("admin/", admin.site.urls),
]
