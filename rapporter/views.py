"""Compiling the half-yearly quality report and reading its versions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kvalitet.periods import HalfYear
from kvalitet.scoring import TRACKS
from leverandoer.access import STAFF, Role, allow, has_role
from leverandoer.templatetags.people import person
from tilsyn.uploads import attachment

from . import exports, selectors, services, summary, suppression
from .forms import CompileForm, DiscardForm, ScenarioForm
from .models import QualityReport, ReportRun
from .pdf import publication_pdf, render_pdf

READERS = STAFF | {Role.SECRETARIAT}


@allow(READERS)
@require_http_methods(["GET", "POST"])
def report_list(request):
    """Every compiled version, and (for contract managers) the form that starts a compile."""
    form = CompileForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, Role.CONTRACT_MANAGER):
            raise PermissionDenied  # reading is for staff and the secretariat; compiling is not
        if form.is_valid():
            period = form.cleaned_data["period"]
            if services.is_provisional(period):
                messages.warning(request, _provisional_warning(period))
            run = services.report_run_start(period=period, by=request.user)
            run.refresh_from_db()
            report = QualityReport.objects.filter(run=run).only("period", "version").first()
            # In-process (no broker) the compile has already run: show the result at once.
            return redirect(report or run)
    reports = selectors.reports_visible_to(request.user)
    staff = has_role(request.user, *STAFF)
    runs = selectors.runs_visible_to(request.user).exclude(status=ReportRun.Status.DONE)[:10]
    newest = reports.filter(publication__published_at__isnull=False).order_by("-publication__published_at").first()
    context = {
        "form": form,
        "reports": reports,
        "runs": runs,
        "newest_published": newest,
        "staff": staff,
        "current": HalfYear.containing(timezone.localdate()),
    }
    return render(request, "rapporter/report_list.html", context)


def _provisional_warning(period: HalfYear) -> str:
    return _(
        "%(period)s has not ended (it ends %(end)s): the version is provisional, and its figures may still change."
    ) % {"period": period.report_code, "end": date_format(period.end, "j. F Y")}


@allow(STAFF)
def run_detail(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    report = QualityReport.objects.filter(run=run).only("period", "version").first()
    waiting = run.status in (ReportRun.Status.PENDING, ReportRun.Status.RUNNING)
    context = {"run": run, "report": report, "waiting": waiting, "eager": settings.CELERY_TASK_ALWAYS_EAGER}
    return render(request, "rapporter/run_detail.html", context)


@allow(READERS)
def report_detail(request, period: str, version: int):
    """A discarded version is still shown to the staff, marked as such and with nothing to do in it."""
    report = selectors.report_get(user=request.user, period=period, version=version, discarded=True)
    versions = selectors.reports_visible_to(request.user).filter(period=period).order_by("-version")
    publication = getattr(report, "publication", None)
    rows = services.effective_rows(report)
    barred = services.approval_barred(report)
    # Small numbers are withheld from all but the staff, who see them with a warning (issue 13).
    public = suppression.public(report.data, rows)
    staff = has_role(request.user, *STAFF)
    context = {
        "report": report,
        "data": report.data if staff else public.data,
        "rows": rows if staff else public.rows,
        "public": not staff,
        "footnotes": public.footnotes(),
        "small_numbers": suppression.staff_warning() if staff and public.any else "",
        **summary.for_display(report.data, rows),
        "tracks": TRACKS,
        "versions": versions,
        "publication": publication,
        "csv_tables": [(name, exports.table_label(name)) for name in exports.table_names(report)],
        "approval_barred": ", ".join(person(user) for user in get_user_model().objects.filter(pk__in=barred)),
        "may_approve": request.user.pk not in barred,
        "discard": getattr(report, "discard", None),
        "discard_form": DiscardForm(),
    }
    return render(request, "rapporter/report_detail.html", context)


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def report_review(request, period: str, version: int):
    """Confirm or override each provider's scenario, with a justification for an override."""
    report = selectors.report_get(user=request.user, period=period, version=version)
    form = ScenarioForm(request.POST or None)
    failed = None
    if request.method == "POST":
        error = None
        if form.is_valid():
            try:
                services.scenario_decide(report=report, by=request.user, **form.cleaned_data)
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                messages.success(
                    request, _("The scenario of %(ref)s was saved.") % {"ref": form.cleaned_data["provider_ref"]}
                )
                return redirect("rapporter:report_review", period=period, version=version)
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        # Shown again on the row it came from, with what was chosen and typed.
        failed = {
            "ref": request.POST.get("provider_ref", ""),
            "scenario": request.POST.get("scenario", ""),
            "justification": request.POST.get("justification", ""),
            "message": error,
        }
        messages.error(request, error)
    context = {
        "report": report,
        "rows": [
            {**row, "failed": failed if failed and failed["ref"] == row["provider_ref"] else None}
            for row in services.effective_rows(report)
        ],
        "publication": getattr(report, "publication", None),
    }
    return render(request, "rapporter/report_review.html", context)


@allow(Role.CONTRACT_MANAGER)
@require_POST
def report_approve(request, period: str, version: int):
    return _step(request, services.report_approve, period, version, _("Version %(version)s is approved."))


@allow(Role.CONTRACT_MANAGER)
@require_POST
def report_publish(request, period: str, version: int):
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that this version goes to the committee, then publish."))
        return redirect(selectors.report_get(user=request.user, period=period, version=version))
    report = selectors.report_get(user=request.user, period=period, version=version)
    try:
        publication = services.report_publish(
            report=report, by=request.user, provisional_confirmed=bool(request.POST.get("confirm_provisional"))
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report)
    messages.success(request, _("Version %(version)s is published.") % {"version": version})
    # The confirmation says what publication set in motion, provider by provider.
    for ref, effect in sorted(publication.effects.items()):
        messages.info(request, f"{ref}: " + " ".join(effect["changes"]))
    return redirect(report)


@allow(Role.CONTRACT_MANAGER)
@require_POST
def report_discard(request, period: str, version: int):
    """Discard an unapproved version with a reason; it then leaves every list."""
    report = selectors.report_get(user=request.user, period=period, version=version)
    form = DiscardForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        services.report_discard(report=report, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report)
    messages.success(
        request, _("Version %(version)s of %(period)s is discarded.") % {"version": version, "period": period}
    )
    return redirect("rapporter:report_list")


def _step(request, service, period, version, done_message):
    report = selectors.report_get(user=request.user, period=period, version=version)
    try:
        service(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message % {"version": version})
    return redirect(report)


@allow(READERS)
def report_pdf(request, period: str, version: int):
    """The PDF of a version: the secretariat gets published versions only (others answer 404)."""
    report = selectors.report_get(user=request.user, period=period, version=version)
    filename = f"{_file_stem(report)}.pdf"
    publication = getattr(report, "publication", None)
    content = publication_pdf(publication) if publication and publication.published_at else render_pdf(report)
    return attachment(content, filename=filename, content_type="application/pdf")


@allow(READERS)
def report_export(request, period: str, version: int, table: str | None = None):
    """The version's tables as one XLSX, or one table as CSV. Same access as the report itself."""
    report = selectors.report_get(user=request.user, period=period, version=version)
    name = _file_stem(report)
    if table is None:
        content, kind, filename = exports.as_xlsx(report), XLSX, f"{name}.xlsx"
    elif table in exports.table_names(report):
        content, kind, filename = exports.as_csv(report, table), "text/csv; charset=utf-8", f"{name}-{table}.csv"
    else:
        raise Http404
    return attachment(content, filename=filename, content_type=kind)


def _file_stem(report: QualityReport) -> str:
    """A provisional version's files say so in their names too."""
    provisional = "-foreloebig" if report.data.get("provisional") else ""
    return f"kvalitetsrapport-{report.period}-v{report.version}{provisional}"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
