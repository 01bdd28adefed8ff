from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ContactPerson, FrameworkAgreement, Offer, OfferType, Provider, TargetGroup

# Referral status is set in the application, where a reason, the date and who are recorded.
REFERRAL_FIELDS = ["referral_status", "referral_reason", "referral_set_on", "referral_set_by"]


@admin.register(OfferType, TargetGroup)
class ReferenceDataAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "name", "kind", "administration", "cvr", "contract_manager", "referral_status", "active"]
    list_filter = ["kind", "administration", "referral_status", "active"]
    search_fields = ["ref", "name", "cvr"]
    list_select_related = ["contract_manager"]
    readonly_fields = REFERRAL_FIELDS
    inlines = [ContactPersonInline]

    def get_readonly_fields(self, request, obj=None):
        return [*REFERRAL_FIELDS, "ref"] if obj else REFERRAL_FIELDS


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "provider", "case_number", "starts_on", "ends_on"]
    search_fields = ["title", "case_number", "provider__name"]
    list_select_related = ["provider"]
    date_hierarchy = "starts_on"


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "name", "provider", "offer_type", "target_group", "referral_status", "active"]
    list_filter = ["offer_type", "target_group", "referral_status", "active"]
    search_fields = ["ref", "name", "provider__name"]
    list_select_related = ["provider", "offer_type", "target_group"]
    autocomplete_fields = ["provider", "agreement"]

    def get_readonly_fields(self, request, obj=None):
        return [*REFERRAL_FIELDS, "ref"] if obj else REFERRAL_FIELDS
