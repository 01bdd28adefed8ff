"""Pages for tracks 1–4: complaints, surveys (public answer page and the printable link), spot
checks, imports and the track figures of a provider or an offer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from leverandoer import once
from leverandoer.access import STAFF, Role, allow, public
from leverandoer.history import history_entries
from leverandoer.models import Provider
from leverandoer.selectors import offer_get, provider_get
from leverandoer.validators import cpr_numbers_in, mask_cpr
from tilsyn.models import ActionPlan
from tilsyn.security import client_address

from . import figures, imports, privacy, selectors, services
from .forms import (
    CaseReviewForm,
    ComplaintFilterForm,
    ComplaintForm,
    HalfYearForm,
    ImportForm,
    SpotCheckForm,
    SurveyAnswerForm,
)
from .models import (
    CASE_HANDLING_KINDS,
    ChecklistItem,
    Complaint,
    ComplaintAccess,
    ImportLog,
    ImportRun,
    SurveyLink,
)
from .periods import HalfYear

COMPLAINT_ROLES = selectors.COMPLAINT_ROLES


# --- Complaints --------------------------------------------------------------------------------


@allow(COMPLAINT_ROLES)
def complaint_list(request):
    if cpr_numbers_in(request.GET.get("q", "")):
        # A CPR number typed into the search goes no further than this request: not into the page,
        # its paging links or the address of the next one.
        query = request.GET.copy()
        query["q"] = mask_cpr(query["q"])
        messages.error(request, _("Search by the citizen's pseudonymous reference, never by CPR number."))
        return redirect(f"{request.path}?{query.urlencode()}")
    form = ComplaintFilterForm(request.GET or None)
    complaints = form.apply(selectors.complaints_visible_to(request.user))
    not_forwarded = (
        selectors.complaints_visible_to(request.user).exclude(decision="").filter(forwarded_on__isnull=True).count()
    )
    page = Paginator(complaints, 25).get_page(request.GET.get("page"))
    privacy.complaint_reads_log(user=request.user, action=ComplaintAccess.Action.LIST, complaints=page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "querystring": query.urlencode(), "not_forwarded": not_forwarded}
    return render(request, "kvalitet/complaint_list.html", context)


@allow(COMPLAINT_ROLES)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("subject", "citizen_ref")  # kept out of error reports
def complaint_create(request):
    return _complaint_form(request, complaint=None)


@allow(COMPLAINT_ROLES)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("subject", "citizen_ref")  # kept out of error reports
def complaint_edit(request, ref: str):
    return _complaint_form(request, complaint=selectors.complaint_get(user=request.user, ref=ref))


def _complaint_form(request, *, complaint):
    if complaint is None and (done := once.already_done(request)):
        return done
    form = ComplaintForm(request.POST or None, instance=complaint)
    had_case = bool(complaint and complaint.case_id)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.complaint_save(complaint=complaint, data=dict(form.cleaned_data), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            once.remember(request, saved.get_absolute_url())
            messages.success(request, _("Complaint %(ref)s was saved.") % {"ref": saved.ref})
            if saved.case_id and not had_case:
                messages.info(
                    request,
                    _("The complaint indicates a general wrong practice and is part of follow-up case %(ref)s.")
                    % {"ref": saved.case.ref},
                )
            return redirect(saved)
    context = {"form": form, "complaint": complaint, "submission_id": once.submission_id(request)}
    if complaint is not None:
        privacy.complaint_reads_log(user=request.user, action=ComplaintAccess.Action.VIEW, complaints=[complaint])
        context["history"] = _complaint_history(complaint)
    return render(request, "kvalitet/complaint_form.html", context)


def _complaint_history(complaint: Complaint) -> list[dict]:
    """The complaint's changes, and those of the action plan it led to."""
    sources = [(_("Complaint"), Complaint.history.filter(id=complaint.pk))]
    if complaint.action_plan_id:
        sources.append((_("Action plan"), ActionPlan.history.filter(id=complaint.action_plan_id)))
    return history_entries(sources)


# --- Surveys -----------------------------------------------------------------------------------


@allow(Role.CONTRACT_MANAGER)
def survey_link(request, ref: str):
    """The printable page with the survey's link and QR code, to hang up where the course is held."""
    import segno

    offer = offer_get(user=request.user, ref=ref)
    link = services.survey_link_for(offer=offer)
    url = request.build_absolute_uri(link.get_absolute_url())
    qr_svg = segno.make(url, error="m").svg_inline(scale=6, title=_("QR code for the survey"))
    stats = offer.survey_responses.aggregate(n=Count("pk"))
    return render(request, "kvalitet/survey_link.html", {"offer": offer, "url": url, "qr_svg": qr_svg, "stats": stats})


FLOOD_WINDOW = 3600


@public
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("comment")
def survey_answer(request, token: str):
    """The anonymous survey: no login, nothing about the person stored, robust against flooding.

    Flooding is limited per network address and survey in the cache, keyed by a hash (the
    address itself is not kept). The address is the one the login lockout counts by
    (`tilsyn.security.client_address`): behind a proxy the header `CLIENT_IP_HEADER` names, else the
    connection's; keyed on the connection alone, every citizen behind the proxy shared one limit."""
    link = get_object_or_404(SurveyLink.objects.select_related("offer__provider"), token=token, active=True)
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return render(request, "kvalitet/survey_thanks.html", {"offer": link.offer})
        key = "survey-flood:" + _hashed(f"{client_address(request) or ''}|{link.token}")
        if _flooded(key):
            form.add_error(None, _("Many answers have come from your network in a short time. Try again later."))
        else:
            try:
                services.survey_answer_submit(
                    link=link, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except OperationalError:
                form.add_error(None, _("The system is busy right now. Try again in a moment."))
            else:
                return render(request, "kvalitet/survey_thanks.html", {"offer": link.offer})
    return render(request, "kvalitet/survey_answer.html", {"offer": link.offer, "form": form})


def _flooded(key: str) -> bool:
    """Count this answer; True when the window already holds the allowed number. `add` then `incr`,
    so a count that expires between the two starts again instead of failing."""
    cache.add(key, 0, FLOOD_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, FLOOD_WINDOW)
        count = 1
    return count > settings.SURVEY_ANSWERS_PER_HOUR


def _hashed(text: str) -> str:
    import hashlib

    return hashlib.sha256((settings.SECRET_KEY + text).encode()).hexdigest()[:32]


# --- Spot checks -------------------------------------------------------------------------------


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def spot_check_list(request):
    if done := once.already_done(request):  # a double click or the back button draws no second sample
        return done
    form = SpotCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spot_check = services.spot_check_draw(
                provider=data["provider"],
                by=request.user,
                ongoing=data["ongoing"],
                completed=data["completed"],
                seed=data["seed"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            once.remember(request, spot_check.get_absolute_url())
            messages.success(request, _("The sample was drawn with seed %(seed)s.") % {"seed": str(spot_check.seed)})
            return redirect(spot_check)
    spot_checks = (
        selectors.spot_checks_visible_to(request.user)
        .order_by("-drawn_on", "-pk")
        .annotate(
            cases=Count("sampled", distinct=True),
            assessed=Count("sampled__reviews", distinct=True),
            met=Count("sampled__reviews", filter=Q(sampled__reviews__met=True), distinct=True),
        )
    )
    providers = Provider.objects.filter(kind__in=CASE_HANDLING_KINDS).annotate(
        ongoing=Count("cases", filter=Q(cases__status="ongoing")),
        completed=Count("cases", filter=Q(cases__status="completed")),
    )
    context = {
        "form": form,
        "spot_checks": spot_checks,
        "providers": providers,
        "submission_id": once.submission_id(request),
    }
    return render(request, "kvalitet/spotcheck_list.html", context)


@allow(Role.CONTRACT_MANAGER)
def spot_check_detail(request, pk: int):
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    assessed = [review for sampled in spot_check.sampled.all() for review in sampled.reviews.all()]
    met = sum(1 for review in assessed if review.met)
    compliance = figures.Ratio(met, len(assessed))
    return render(request, "kvalitet/spotcheck_detail.html", {"spot_check": spot_check, "compliance": compliance})


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def case_review(request, pk: int):
    sampled = selectors.sampled_case_get(user=request.user, pk=pk)
    items = list(ChecklistItem.objects.filter(active=True))
    current = {review.item.code: ("yes" if review.met else "no") for review in sampled.reviews.select_related("item")}
    form = CaseReviewForm(request.POST or None, items=items, initial=current)
    if request.method == "POST" and form.is_valid():
        assessed = services.case_review_save(sampled_case=sampled, judgements=form.judgements())
        messages.success(
            request,
            _("The review of case %(case)s was saved (%(n)s items assessed).")
            % {"case": sampled.case.case_ref, "n": assessed},
        )
        return redirect(sampled.spot_check)
    return render(request, "kvalitet/case_review.html", {"sampled": sampled, "form": form})


# --- Imports -----------------------------------------------------------------------------------


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET", "POST"])
def import_data(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.import_start(
                kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name, by=request.user
            )
        except imports.ImportFailed as failed:
            errors = failed.lines
        if isinstance(result, ImportRun):
            return redirect(result)  # without a broker the run has already ended: its page shows how
    logs = ImportLog.objects.select_related("imported_by")[:20]
    runs = ImportRun.objects.filter(status__in=[ImportRun.Status.PENDING, ImportRun.Status.RUNNING])[:5]
    context = {"form": form, "errors": errors, "result": result, "logs": logs, "runs": runs}
    return render(request, "kvalitet/import_form.html", {**context, "kinds": imports.KIND_SPECS})


@allow(Role.CONTRACT_MANAGER)
@require_http_methods(["GET"])
def import_run(request, pk: int):
    run = get_object_or_404(ImportRun.objects.select_related("started_by", "log"), pk=pk)
    waiting = run.status in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING)
    return render(request, "kvalitet/import_run.html", {"run": run, "waiting": waiting})


# --- Track figures -----------------------------------------------------------------------------


def _period(request) -> tuple[HalfYearForm, HalfYear]:
    """The half-year asked for, else the latest with figures (looked up only then)."""
    form = HalfYearForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["period"]
    default = figures.latest_period()
    if not form.is_bound:
        form = HalfYearForm(initial={"period": default.code})
    return form, default


@allow(STAFF)
def provider_tracks(request, ref: str):
    provider = provider_get(user=request.user, ref=ref)
    form, period = _period(request)
    data = figures.provider_figures(provider=provider, period=period)
    return render(request, "kvalitet/provider_tracks.html", {"provider": provider, "form": form, "data": data})


@allow(STAFF)
def offer_tracks(request, ref: str):
    offer = offer_get(user=request.user, ref=ref)
    form, period = _period(request)
    data = figures.offer_figures(offer=offer, period=period)
    return render(request, "kvalitet/offer_tracks.html", {"offer": offer, "form": form, "data": data})
