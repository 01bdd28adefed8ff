"""Compiling the half-yearly quality report and reading its versions."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from kvalitet.scoring import TRACKS
from leverandoer.access import STAFF, Role, allow, has_role

from . import services
from .forms import CompileForm
from .models import QualityReport, ReportRun


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def report_list(request):
    """Every compiled version, and (for contract managers) the form that starts a compile."""
    form = CompileForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, Role.CONTRACT_MANAGER):
            return render(request, "403.html", status=403)
        if form.is_valid():
            run = services.report_run_start(period=form.cleaned_data["period"], by=request.user)
            run.refresh_from_db()
            report = QualityReport.objects.filter(run=run).only("period", "version").first()
            # In-process (no broker) the compile has already run: show the result at once.
            return redirect(report or run)
    reports = QualityReport.objects.select_related("compiled_by").defer("data")
    runs = ReportRun.objects.exclude(status=ReportRun.Status.DONE).select_related("started_by")[:10]
    periods = QualityReport.objects.values("period").annotate(versions=Count("pk")).order_by("-period")
    context = {"form": form, "reports": reports, "runs": runs, "periods": periods}
    return render(request, "rapporter/report_list.html", context)


@allow(STAFF)
def run_detail(request, pk: int):
    run = get_object_or_404(ReportRun.objects.select_related("started_by"), pk=pk)
    report = QualityReport.objects.filter(run=run).only("period", "version").first()
    waiting = run.status in (ReportRun.Status.PENDING, ReportRun.Status.RUNNING)
    context = {"run": run, "report": report, "waiting": waiting, "eager": settings.CELERY_TASK_ALWAYS_EAGER}
    return render(request, "rapporter/run_detail.html", context)


@allow(STAFF)
def report_detail(request, period: str, version: int):
    report = get_object_or_404(QualityReport, period=period, version=version)
    versions = QualityReport.objects.filter(period=period).order_by("-version").only("period", "version", "created_at")
    context = {"report": report, "data": report.data, "tracks": TRACKS, "versions": versions}
    return render(request, "rapporter/report_detail.html", context)
