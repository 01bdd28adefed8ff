"""Pages for inspections, assessments, measures, follow-up and action plans; the start page and
the administrator's system status. Each view: access declared, object loaded through a selector
that knows who may see it, one service called, redirect or render."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leverandoer import once, panels
from leverandoer import selectors as provider_selectors
from leverandoer.access import EVERYONE, STAFF, Role, allow, has_role, public

from . import planning, selectors, services
from .calendar import FEED_ROLES, feed_ics
from .forms import (
    ActionPlanForm,
    AssessmentForm,
    CaseCloseForm,
    CaseMeasureForm,
    CaseNumberForm,
    CaseOpenForm,
    DoneForm,
    InspectionFilterForm,
    InspectionForm,
    PlanFilterForm,
    RecordForm,
    finding_forms,
)
from .models import CalendarFeed
from .uploads import active_content_message, download

INSPECTORS_TOO = STAFF | {Role.INSPECTOR}
# Supervision decisions (planning, assessing, measures) are the contract managers'; administrators
# maintain users and reference data and may read everything here.
RECORDERS = {Role.CONTRACT_MANAGER, Role.INSPECTOR}


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST; a GET (an old bookmark, a typed URL) asks for confirmation."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


@allow(EVERYONE)
def home(request):
    """Each role's start page shows what that role works with, and nothing else."""
    context = {"is_secretariat": has_role(request.user, Role.SECRETARIAT), "panels": panels.for_home(request.user)}
    if has_role(request.user, *STAFF):
        context.update(selectors.staff_overview(user=request.user))
        context.update(selectors.staff_tasks(user=request.user, today=timezone.localdate()))
    if has_role(request.user, Role.INSPECTOR):
        context.update(selectors.inspector_overview(user=request.user))
    return render(request, "tilsyn/home.html", context)


# --- Inspections -------------------------------------------------------------------------------


@allow(INSPECTORS_TOO)
def inspection_list(request):
    form = InspectionFilterForm(request.GET or None)
    inspections = form.apply(selectors.inspections_visible_to(request.user))
    page = Paginator(inspections, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "tilsyn/inspection_list.html", {"form": form, "page": page, "querystring": query.urlencode()}
    )


@allow(INSPECTORS_TOO)
def inspection_detail(request, ref: str):
    inspection = selectors.inspection_get(user=request.user, ref=ref)
    staff = has_role(request.user, *STAFF)
    context = {
        "inspection": inspection,
        "staff": staff,
        "assessment": selectors.assessment_details(inspection=inspection) if staff else None,
        "history": selectors.inspection_history(inspection=inspection) if staff else [],
        "today": timezone.localdate(),
    }
    return render(request, "tilsyn/inspection_detail.html", context)


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    provider = (
        provider_selectors.providers_for_list(user=request.user)
        .filter(ref=request.GET.get("provider", ""), active=True)
        .first()
    )
    return _inspection_form(request, inspection=None, initial={"provider": provider})


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def inspection_edit(request, ref: str):
    inspection = selectors.inspection_get(user=request.user, ref=ref)
    if inspection.is_locked:
        messages.error(request, _("The inspection has been submitted and can no longer be changed."))
        return redirect(inspection)
    return _inspection_form(request, inspection=inspection, initial={})


def _inspection_form(request, *, inspection, initial):
    if inspection is None and (done := once.already_done(request)):
        return done
    form = InspectionForm(request.POST or None, instance=inspection, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields if field != "offers"}
        try:
            saved = services.inspection_save(
                inspection=inspection, data=data, offers=form.cleaned_data["offers"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            once.remember(request, saved.get_absolute_url())
            messages.success(request, _("Inspection %(ref)s was saved.") % {"ref": saved.ref})
            return redirect(saved)
    context = {"form": form, "inspection": inspection, "submission_id": once.submission_id(request)}
    return render(request, "tilsyn/inspection_form.html", context)


@allow(RECORDERS)
@require_http_methods(["GET", "POST"])
def inspection_record(request, ref: str):
    """Performed date, visit report and all control areas on one page; save or submit."""
    inspection = selectors.inspection_get(user=request.user, ref=ref)
    if inspection.is_locked:
        messages.error(request, _("The inspection has been submitted and can no longer be changed."))
        return redirect(inspection)
    data = request.POST if request.method == "POST" else None
    form = RecordForm(data, request.FILES or None, initial={"performed_on": inspection.performed_on})
    areas = finding_forms(data=data, inspection=inspection, areas=selectors.control_areas_for(inspection))
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in areas):
        submit = "submit" in request.POST
        findings = [finding for f in areas if (finding := f.as_finding())]
        try:
            services.inspection_record(
                inspection=inspection,
                performed_on=form.cleaned_data["performed_on"],
                findings=findings,
                report=form.cleaned_data["report"],
                submit=submit,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("Inspection %(ref)s was submitted.") if submit else _("Inspection %(ref)s was saved.")
            messages.success(request, message % {"ref": inspection.ref})
            if notice := active_content_message(form.cleaned_data["report"]):
                messages.warning(request, notice)
            return redirect(inspection)
    context = {
        "inspection": inspection,
        "form": form,
        "areas": areas,
        "has_errors": bool(form.errors) or any(area.errors for area in areas),
        "file_dropped": request.method == "POST" and bool(request.FILES),
    }
    return render(request, "tilsyn/inspection_record.html", context)


@allow(INSPECTORS_TOO)
def inspection_report(request, ref: str):
    inspection = selectors.inspection_get(user=request.user, ref=ref)
    if not inspection.report_file:
        raise Http404
    return download(inspection.report_file, inspection.report_filename or f"{inspection.ref}.pdf")


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def inspection_assess(request, ref: str):
    inspection = selectors.inspection_get(user=request.user, ref=ref)
    if inspection.status != inspection.Status.SUBMITTED:
        messages.error(request, _("Only a submitted inspection that has not been assessed can be assessed."))
        return redirect(inspection)
    proposal = selectors.proposal_for(inspection=inspection)
    form = AssessmentForm(
        request.POST or None,
        proposed=proposal.scenario,
        provider=inspection.provider,
        initial={"scenario": proposal.scenario},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_confirm(
                inspection=inspection,
                scenario=form.cleaned_data["scenario"],
                justification=form.cleaned_data["justification"],
                by=request.user,
                restricted_offers=form.cleaned_data.get("offers") or [],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The assessment of %(ref)s was saved.") % {"ref": inspection.ref})
            for text in assessment.decision.messages() if assessment.decision else []:
                messages.info(request, text)
            return redirect(inspection)
    context = {
        "inspection": inspection,
        "form": form,
        "proposal": proposal,
        "explanation": selectors.explain(proposal),
        "open_case": selectors.open_case_of(inspection.provider),
    }
    return render(request, "tilsyn/inspection_assess.html", context)


@allow(Role.CONTRACT_MANAGER)
@require_POST
def inspection_close(request, ref: str):
    inspection = selectors.inspection_get(user=request.user, ref=ref)
    try:
        services.inspection_close(inspection=inspection, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Inspection %(ref)s was closed.") % {"ref": inspection.ref})
    return redirect(inspection)


# --- Measures, follow-up and action plans ----------------------------------------------------


@allow(Role.CONTRACT_MANAGER)
@require_POST
def measure_done(request, pk: int):
    measure = selectors.measure_get(user=request.user, pk=pk)
    # A change of referral strategy restricts the offers ticked beside it (none: the provider).
    offers = selectors.offers_of(provider=services.measure_provider(measure), pks=request.POST.getlist("offers"))
    return _done(request, partial(services.measure_complete, offers=offers), measure=measure, target=_owner(measure))


@allow(Role.CONTRACT_MANAGER)
@require_POST
def follow_up_done(request, pk: int):
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    return _done(request, services.follow_up_complete, follow_up=follow_up, target=_owner(follow_up))


def _owner(item):
    """Where a measure or follow-up is shown: its case, else its inspection."""
    return item.case if item.case_id else item.assessment.inspection


def _done(request, service, *, target, **item):
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(target)
    try:
        done = service(note=form.cleaned_data["note"].strip(), by=request.user, **item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(item)s” is marked as done.") % {"item": done})
    return redirect(target)


@allow(STAFF)
def action_plan_list(request):
    plans = selectors.action_plans_for_list(user=request.user)
    if request.GET.get("open"):
        plans = plans.exclude(status="approved")
    return render(request, "tilsyn/actionplan_list.html", {"plans": plans, "today": timezone.localdate()})


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def action_plan_edit(request, pk: int):
    plan = selectors.action_plan_get(user=request.user, pk=pk)
    form = ActionPlanForm(
        request.POST or None, request.FILES or None, initial={"status": plan.status, "note": plan.note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_update(
                plan=plan,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action plan was saved."))
            if notice := active_content_message(form.cleaned_data["file"]):
                messages.warning(request, notice)
            return redirect("tilsyn:action_plan_edit", pk=plan.pk)
    return render(request, "tilsyn/actionplan_form.html", {"plan": plan, "form": form, "today": timezone.localdate()})


@allow(STAFF)
def action_plan_file(request, pk: int):
    plan = selectors.action_plan_get(user=request.user, pk=pk)
    if not plan.file:
        raise Http404
    return download(plan.file, plan.filename or "handleplan.pdf")


# --- Follow-up cases ------------------------------------------------------------------------


@allow(STAFF)
def case_list(request):
    status = request.GET.get("status") if request.GET.get("status") in ("open", "closed", "all") else "open"
    mine = bool(request.GET.get("mine"))
    cases = selectors.cases_for_list(user=request.user, status=status, mine=mine)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    querystring = f"status={status}" + ("&mine=1" if mine else "")
    context = {"page": page, "status": status, "mine": mine, "querystring": querystring}
    return render(request, "tilsyn/case_list.html", context)


@allow(STAFF)
def case_detail(request, ref: str):
    case = selectors.case_get(user=request.user, ref=ref)
    context = {
        "case": case,
        **selectors.case_details(case=case),
        "history": selectors.case_history(case=case),
        "number_form": CaseNumberForm(initial={"case_number": case.case_number}),
        "measure_form": CaseMeasureForm(provider=case.provider),
        "close_form": CaseCloseForm(),
        "today": timezone.localdate(),
    }
    return render(request, "tilsyn/case_detail.html", context)


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def case_open(request):
    """Open a case from other knowledge; the other sources open or join cases by themselves."""
    if done := once.already_done(request):
        return done
    providers = provider_selectors.providers_for_list(user=request.user).filter(active=True)
    initial = {"provider": providers.filter(ref=request.GET.get("provider", "")).first()}
    open_cases = selectors.open_cases_by_provider(providers.values("pk"))
    form = CaseOpenForm(request.POST or None, providers=providers, open_cases=open_cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.case_open_other(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            once.remember(request, decision.case.get_absolute_url())
            for text in decision.messages():
                messages.success(request, text)
            return redirect(decision.case)
    return render(request, "tilsyn/case_form.html", {"form": form, "submission_id": once.submission_id(request)})


@allow(Role.CONTRACT_MANAGER)
@require_POST
def case_number(request, ref: str):
    case = selectors.case_get(user=request.user, ref=ref)
    form = CaseNumberForm(request.POST)
    if form.is_valid():
        services.case_update(case=case, case_number=form.cleaned_data["case_number"], by=request.user)
        messages.success(request, _("The case number of %(ref)s was saved.") % {"ref": case.ref})
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect(case)


@allow(Role.CONTRACT_MANAGER)
@require_POST
def case_measure_add(request, ref: str):
    case = selectors.case_get(user=request.user, ref=ref)
    form = CaseMeasureForm(request.POST, provider=case.provider)
    try:
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        measure = services.case_measure_add(case=case, **form.cleaned_data, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(item)s” was added to the case.") % {"item": measure})
    return redirect(case)


@allow(Role.CONTRACT_MANAGER)
@require_POST
def case_close(request, ref: str):
    case = selectors.case_get(user=request.user, ref=ref)
    form = CaseCloseForm(request.POST)
    try:
        services.case_close(case=case, note=form.data.get("note", "")[:5000], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Follow-up case %(ref)s was closed.") % {"ref": case.ref})
    return redirect(case)


# --- System status -----------------------------------------------------------------------------


@allow(Role.ADMINISTRATOR)
@require_http_methods(["GET"])
def system_status(request):
    broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL.split("@")[-1]
    return render(
        request,
        "tilsyn/system_status.html",
        {"database": connection.vendor, "broker": broker, "pings": selectors.recent_pings()},
    )


@allow(Role.ADMINISTRATOR)
@require_POST
def worker_ping(request):
    services.worker_ping_request(by=request.user)
    messages.info(request, _("A ping was sent to the task worker. Reload the page to see the answer."))
    return redirect("system_status")


# --- Planning, calendar ------------------------------------------------------------------------


@allow(STAFF)
def supervision_plan(request):
    """The annual plan: who has been supervised, who is missing, and why a provider scores high."""
    today = timezone.localdate()
    form = PlanFilterForm(request.GET or None, initial={"year": today.year})
    options = form.cleaned_data if form.is_valid() else {"year": None, "mine": False, "missing": False}
    plan = planning.supervision_plan(
        year=options["year"] or today.year,
        today=today,
        contract_manager=request.user if options["mine"] else None,
        only_missing=options["missing"],
    )
    return render(request, "tilsyn/plan.html", {"form": form, "plan": plan, "today": today})


@allow(Role.CONTRACT_MANAGER)
@require_POST
def plan_suggestion(request, year: int, ref: str):
    if not 2000 <= year <= 2100:
        raise Http404
    provider = selectors.provider_for_plan(user=request.user, ref=ref)
    try:
        inspection = services.inspection_plan_from_suggestion(provider=provider, year=year, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('tilsyn:plan')}?year={year}")
    messages.success(
        request,
        _("Inspection %(ref)s is planned from the suggestion. Adjust the date and who performs it here.")
        % {"ref": inspection.ref},
    )
    return redirect("tilsyn:inspection_edit", ref=inspection.ref)


@allow(FEED_ROLES)
def calendar_page(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("tilsyn:calendar_feed", args=[feed.token])) if feed else None
    return render(request, "tilsyn/calendar.html", {"feed_url": url})


@allow(FEED_ROLES)
@require_POST
def calendar_renew(request):
    services.calendar_feed_renew(user=request.user)
    messages.success(request, _("Your calendar address is ready. An earlier address no longer works."))
    return redirect("tilsyn:calendar")


@public
def calendar_feed(request, token: str):
    """Calendar programs cannot log in: the secret token is the key, checked against the user's role
    on every fetch, so a user who loses the role loses the feed."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not has_role(feed.user, *FEED_ROLES):
        raise Http404
    return HttpResponse(feed_ics(feed.user), content_type="text/calendar; charset=utf-8")
