"""Pages for providers, framework agreements, offers and comparable groups.

Each view: access declared, form bound, one service called, redirect or render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import history, once, panels, selectors, services
from .access import STAFF, allow
from .filters import AgreementFilter, OfferFilter, ProviderFilter
from .forms import AgreementForm, ContactFormSet, OfferForm, ProviderForm, ReferralStatusForm, contacts_from_formset
from .models import FrameworkAgreement, Offer, Provider

PAGE_SIZE = 25


def _list_page(request, filterset, template: str, **context):
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"filter": filterset, "page": page, "querystring": query.urlencode(), **context})


def _save(form, service, **kwargs):
    """Call a service for a valid form; the model's own validation errors become form errors."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        form.add_error(None, error)
        return None


# --- Providers -------------------------------------------------------------------------------


@allow(STAFF)
def provider_list(request):
    filterset = ProviderFilter(request.GET, queryset=selectors.providers_for_list(user=request.user))
    return _list_page(request, filterset, "leverandoer/provider_list.html")


@allow(STAFF)
def provider_detail(request, ref: str):
    provider = selectors.provider_get(user=request.user, ref=ref)
    context = {
        "provider": provider,
        "panels": panels.for_provider(provider),
        "history": history.provider_history(provider=provider),
    }
    return render(request, "leverandoer/provider_detail.html", context)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def provider_create(request):
    return _provider_form(request, provider=None)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def provider_edit(request, ref: str):
    return _provider_form(request, provider=selectors.provider_get(user=request.user, ref=ref))


def _provider_form(request, *, provider: Provider | None):
    if provider is None and (done := once.already_done(request)):
        return done
    form = ProviderForm(request.POST or None, instance=provider)
    formset = ContactFormSet(request.POST or None, instance=provider or Provider(), prefix="contacts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        contacts = contacts_from_formset(formset)
        saved = _save(form, services.provider_save, provider=provider, data=dict(form.cleaned_data), contacts=contacts)
        if saved:
            once.remember(request, saved.get_absolute_url())
            messages.success(request, _("The provider %(name)s was saved.") % {"name": saved.name})
            return redirect(saved)
    context = {"form": form, "formset": formset, "provider": provider, "submission_id": once.submission_id(request)}
    return render(request, "leverandoer/provider_form.html", context)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def provider_referral(request, ref: str):
    return _referral_form(request, target=selectors.provider_get(user=request.user, ref=ref))


# --- Framework agreements --------------------------------------------------------------------


@allow(STAFF)
def agreement_list(request):
    filterset = AgreementFilter(request.GET, queryset=selectors.agreements_for_list(user=request.user))
    return _list_page(request, filterset, "leverandoer/frameworkagreement_list.html")


@allow(STAFF)
def agreement_detail(request, pk: int):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    return render(request, "leverandoer/frameworkagreement_detail.html", {"agreement": agreement})


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    initial = {"provider": Provider.objects.filter(ref=request.GET.get("provider", "")).first()}
    return _agreement_form(request, agreement=FrameworkAgreement(), initial=initial)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    return _agreement_form(request, agreement=selectors.agreement_get(user=request.user, pk=pk), initial={})


def _agreement_form(request, *, agreement: FrameworkAgreement, initial: dict):
    if agreement.pk is None and (done := once.already_done(request)):
        return done
    form = AgreementForm(request.POST or None, instance=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, services.agreement_save, agreement=agreement, data=dict(form.cleaned_data))
        if saved:
            once.remember(request, saved.get_absolute_url())
            messages.success(request, _("The framework agreement %(title)s was saved.") % {"title": saved.title})
            return redirect(saved)
    context = {"form": form, "agreement": agreement, "submission_id": once.submission_id(request)}
    return render(request, "leverandoer/frameworkagreement_form.html", context)


# --- Offers ----------------------------------------------------------------------------------


@allow(STAFF)
def offer_list(request):
    filterset = OfferFilter(request.GET, queryset=selectors.offers_for_list(user=request.user))
    return _list_page(request, filterset, "leverandoer/offer_list.html")


@allow(STAFF)
def offer_detail(request, ref: str):
    offer = selectors.offer_get(user=request.user, ref=ref)
    comparable = selectors.comparable_offers(user=request.user, offer=offer)
    context = {
        "offer": offer,
        "comparable": comparable,
        "panels": panels.for_offer(offer),
        "history": history.offer_history(offer=offer),
    }
    return render(request, "leverandoer/offer_detail.html", context)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def offer_create(request):
    initial = {"provider": Provider.objects.filter(ref=request.GET.get("provider", "")).first()}
    return _offer_form(request, offer=None, initial=initial)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def offer_edit(request, ref: str):
    return _offer_form(request, offer=selectors.offer_get(user=request.user, ref=ref), initial={})


def _offer_form(request, *, offer: Offer | None, initial: dict):
    if offer is None and (done := once.already_done(request)):
        return done
    form = OfferForm(request.POST or None, instance=offer, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, services.offer_save, offer=offer, data=dict(form.cleaned_data))
        if saved:
            once.remember(request, saved.get_absolute_url())
            messages.success(request, _("The offer %(name)s was saved.") % {"name": saved.name})
            return redirect(saved)
    context = {"form": form, "offer": offer, "submission_id": once.submission_id(request)}
    return render(request, "leverandoer/offer_form.html", context)


@allow(STAFF)
@require_http_methods(["GET", "POST"])
def offer_referral(request, ref: str):
    return _referral_form(request, target=selectors.offer_get(user=request.user, ref=ref))


# --- Shared ----------------------------------------------------------------------------------


def _referral_form(request, *, target: Provider | Offer):
    # The reason is not filled in from the current one: lifting a stop needs a reason of its own,
    # and the old stop's reason must not pass for it. The current reason shows above the form.
    form = ReferralStatusForm(request.POST or None, initial={"status": target.referral_status})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_status_set(
                target=target, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            # The service's rules (own centres, lifting needs a reason, no empty change) shown on
            # the form, which keeps what the user typed.
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Referral status for %(name)s is now: %(status)s.")
                % {"name": target.name, "status": target.get_referral_status_display()},
            )
            return redirect(target)
    return render(request, "leverandoer/referral_form.html", {"form": form, "target": target})


@allow(STAFF)
def comparable_group_list(request):
    return render(request, "leverandoer/comparable_group_list.html", {"groups": selectors.comparable_groups()})
