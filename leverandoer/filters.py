"""List filters (django-filter). Each list page binds one of these to the query string."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import UserChoiceField, contract_managers
from .models import FrameworkAgreement, Offer, OfferType, Provider, ReferralStatus, TargetGroup

ALL = _("All")
NOT_OPEN = "not_open"
REFERRAL_CHOICES = [*ReferralStatus.choices, (NOT_OPEN, _("Restricted or stopped"))]
YES_NO = forms.Select(choices=[("", ALL), ("true", _("Yes")), ("false", _("No"))])


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Provider.Kind.choices, empty_label=ALL)
    administration = django_filters.ChoiceFilter(
        label=pgettext_lazy("organisation", "Administration"), choices=Provider.Administration.choices, empty_label=ALL
    )
    contract_manager = UserFilter(
        label=_("Contract manager"), queryset=lambda request: contract_managers(), empty_label=ALL
    )
    referral_status = django_filters.ChoiceFilter(
        label=_("Referral status"), choices=REFERRAL_CHOICES, empty_label=ALL, method="filter_referral"
    )
    active = django_filters.BooleanFilter(label=_("Active"), widget=YES_NO)

    class Meta:
        model = Provider
        fields = ["q", "kind", "administration", "contract_manager", "referral_status", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(ref__icontains=value) | Q(cvr__icontains=value))

    def filter_referral(self, queryset, name, value):
        if value == NOT_OPEN:
            return queryset.exclude(referral_status=ReferralStatus.OPEN)
        return queryset.filter(referral_status=value)


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    offer_type = django_filters.ModelChoiceFilter(
        label=_("Offer type"), queryset=OfferType.objects.all(), empty_label=ALL
    )
    target_group = django_filters.ModelChoiceFilter(
        label=_("Target group"), queryset=TargetGroup.objects.all(), empty_label=ALL
    )
    provider__kind = django_filters.ChoiceFilter(
        label=_("Provider kind"), choices=Provider.Kind.choices, empty_label=ALL
    )
    referral_status = django_filters.ChoiceFilter(
        label=_("Referral status"), choices=REFERRAL_CHOICES, empty_label=ALL, method="filter_referral"
    )
    active = django_filters.BooleanFilter(label=_("Active"), widget=YES_NO)

    class Meta:
        model = Offer
        fields = ["q", "offer_type", "target_group", "provider__kind", "referral_status", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(ref__icontains=value)
            | Q(provider__name__icontains=value)
            | Q(delivery_address__icontains=value)
        )

    def filter_referral(self, queryset, name, value):
        """By the effective status, the stricter of the offer's own and its provider's (as the badges show)."""
        open_ = ReferralStatus.OPEN
        stopped = Q(referral_status=ReferralStatus.STOPPED) | Q(provider__referral_status=ReferralStatus.STOPPED)
        if value == NOT_OPEN:
            return queryset.exclude(referral_status=open_, provider__referral_status=open_)
        if value == ReferralStatus.OPEN:
            return queryset.filter(referral_status=open_, provider__referral_status=open_)
        if value == ReferralStatus.STOPPED:
            return queryset.filter(stopped)
        restricted = Q(referral_status=ReferralStatus.RESTRICTED) | Q(
            provider__referral_status=ReferralStatus.RESTRICTED
        )
        return queryset.filter(restricted).exclude(stopped)


class AgreementFilter(django_filters.FilterSet):
    PERIOD_CHOICES = [("current", _("Current")), ("expired", _("Expired")), ("future", _("Not yet started"))]

    q = django_filters.CharFilter(label=_("Search"), method="search")
    period = django_filters.ChoiceFilter(
        label=_("Period"), choices=PERIOD_CHOICES, method="filter_period", empty_label=ALL
    )

    class Meta:
        model = FrameworkAgreement
        fields = ["q", "period"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value) | Q(case_number__icontains=value) | Q(provider__name__icontains=value)
        )

    def filter_period(self, queryset, name, value):
        today = timezone.localdate()
        if value == "current":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if value == "expired":
            return queryset.filter(ends_on__lt=today)
        return queryset.filter(starts_on__gt=today)
