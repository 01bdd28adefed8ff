"""Forms validate and normalise input; the services write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .access import Role
from .models import ContactPerson, FrameworkAgreement, Offer, OfferType, Provider, ReferralStatus, TargetGroup
from .validators import validate_plausible_date


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlausibleDateField(forms.DateField):
    """A date field that refuses dates outside 2000–2100 (a mistyped year) with a clear message."""

    widget = DateInput
    default_validators = [validate_plausible_date]


def contract_managers():
    return (
        get_user_model()
        .objects.filter(groups__name=Role.CONTRACT_MANAGER, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def with_current(queryset, current):
    """A choice list that keeps the value already saved, even if it would no longer be offered."""
    if current is None:
        return queryset
    return (queryset | queryset.model.objects.filter(pk=current.pk)).distinct()


def chosen_provider_id(form) -> int | None:
    """The provider a form is about: posted, preselected or saved; None while none is chosen."""
    value = form.data.get("provider") or form.initial.get("provider") or form.instance.provider_id
    if isinstance(value, Provider):
        return value.pk
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 18 else None


def clean_ref_value(value: str) -> str:
    return (value or "").strip().upper()


class ProviderForm(forms.ModelForm):
    contract_manager = UserChoiceField(queryset=None, required=False, label=_("Contract manager"))
    cvr = forms.CharField(
        label=_("CVR number"),
        required=False,
        max_length=12,
        help_text=_("Eight digits. Required for external providers."),
    )

    class Meta:
        model = Provider
        fields = ["ref", "name", "kind", "administration", "cvr", "address", "contract_manager", "active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_manager"].queryset = with_current(
            contract_managers(), self.instance.contract_manager if self.instance.pk else None
        )
        if self.instance.pk:
            self.fields["ref"].disabled = True
            self.fields["ref"].help_text = _("The reference cannot be changed.")
        else:
            self.fields["ref"].required = False
            self.fields["ref"].help_text = _("Leave empty to have one generated.")

    def clean_ref(self) -> str:
        return clean_ref_value(self.cleaned_data.get("ref"))

    def clean_cvr(self) -> str:
        return "".join(self.cleaned_data.get("cvr", "").split())

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Provider.Kind.INTERNAL:
            if self.instance.pk and self.instance.agreements.exists():
                self.add_error("kind", _("A provider with framework agreements cannot be internal."))
            if not cleaned.get("administration"):
                self.add_error("administration", _("An internal provider must belong to SUF, SOF or BIF."))
            if cleaned.get("cvr"):
                self.add_error("cvr", _("An internal provider must not have a CVR number."))
        elif kind:
            if cleaned.get("administration"):
                self.add_error("administration", _("Only internal providers may belong to an administration."))
            if kind == Provider.Kind.EXTERNAL and not cleaned.get("cvr") and "cvr" not in self.errors:
                self.add_error("cvr", _("An external provider must have a CVR number."))
        return cleaned


CONTACT_FIELDS = ("name", "title", "email", "phone")


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = CONTACT_FIELDS


ContactFormSet = forms.inlineformset_factory(
    Provider, ContactPerson, form=ContactPersonForm, extra=2, can_delete=True, max_num=20, validate_max=True
)


def contacts_from_formset(formset) -> list[dict]:
    """The contacts to keep, as plain dicts for `provider_save`."""
    kept = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        contact = {field: data[field] for field in CONTACT_FIELDS}
        contact["id"] = data["id"].pk if data.get("id") else None
        kept.append(contact)
    return kept


class AgreementForm(forms.ModelForm):
    starts_on = PlausibleDateField(label=_("Start date"))
    ends_on = PlausibleDateField(label=_("End date"))

    class Meta:
        model = FrameworkAgreement
        fields = ["provider", "title", "case_number", "starts_on", "ends_on", "notes"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = with_current(
            Provider.objects.exclude(kind=Provider.Kind.INTERNAL), self.instance.provider if self.instance.pk else None
        ).order_by("name")

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The agreement cannot end before it starts."))
        return cleaned


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} – {obj.provider.name} ({obj.starts_on:%d.%m.%Y}–{obj.ends_on:%d.%m.%Y})"


class OfferForm(forms.ModelForm):
    agreement = AgreementChoiceField(queryset=None, required=False, label=_("Framework agreement"))
    result_months = forms.IntegerField(
        label=_("Months until result"),
        min_value=1,
        max_value=36,
        initial=6,
        help_text=_("The result is whether the citizen is off public support this many months after the course."),
    )

    class Meta:
        model = Offer
        fields = [
            "ref",
            "name",
            "provider",
            "agreement",
            "offer_type",
            "target_group",
            "delivery_address",
            "result_basis",
            "result_months",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.order_by("name")
        agreements = FrameworkAgreement.objects.select_related("provider").order_by("provider__name", "-starts_on")
        if provider_id := chosen_provider_id(self):
            agreements = agreements.filter(provider_id=provider_id)
        self.fields["agreement"].queryset = agreements
        self.fields["offer_type"].queryset = OfferType.objects.filter(active=True)
        self.fields["target_group"].queryset = TargetGroup.objects.filter(active=True)
        if self.instance.pk:
            self.fields["ref"].disabled = True
            self.fields["ref"].help_text = _("The reference cannot be changed.")
            # Keep a deactivated type or group selectable on offers that already use it.
            self.fields["offer_type"].queryset = OfferType.objects.filter(
                pk=self.instance.offer_type_id
            ) | OfferType.objects.filter(active=True)
            self.fields["target_group"].queryset = TargetGroup.objects.filter(
                pk=self.instance.target_group_id
            ) | TargetGroup.objects.filter(active=True)
        else:
            self.fields["ref"].required = False
            self.fields["ref"].help_text = _("Leave empty to have one generated.")

    def clean_ref(self) -> str:
        return clean_ref_value(self.cleaned_data.get("ref"))

    def clean(self):
        cleaned = super().clean()
        provider, agreement = cleaned.get("provider"), cleaned.get("agreement")
        if provider and agreement and agreement.provider_id != provider.pk:
            self.add_error("agreement", _("The framework agreement belongs to another provider."))
        return cleaned


def provider_label(provider: Provider) -> str:
    """A provider as a picker names it: with its referral status when that is not open, so a
    person choosing it sees that citizens are no longer (or only partly) referred there."""
    if provider.referral_status == ReferralStatus.STOPPED:
        return _("%(provider)s – referrals stopped") % {"provider": provider}
    if provider.referral_status == ReferralStatus.RESTRICTED:
        return _("%(provider)s – referrals restricted") % {"provider": provider}
    return str(provider)


class ProviderChoiceField(forms.ModelChoiceField):
    """Pick a provider; restricted and stopped ones stay selectable but say so in their label."""

    def label_from_instance(self, obj: Provider) -> str:
        return provider_label(obj)


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Referral status"), choices=ReferralStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when referrals are restricted or stopped, and when a restriction or stop is lifted."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") in (ReferralStatus.RESTRICTED, ReferralStatus.STOPPED)
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Give the reason when referrals are restricted or stopped."))
        return cleaned
