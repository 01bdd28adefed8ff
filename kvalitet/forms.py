from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leverandoer.forms import PlausibleDateField, ProviderChoiceField
from leverandoer.models import Provider, ReferralStatus

from .imports import KIND_NAMES
from .models import CASE_HANDLING_KINDS, ChecklistItem, Complaint
from .periods import HalfYear


class ComplaintForm(forms.ModelForm):
    received_on = PlausibleDateField(label=_("Received"))
    decided_on = PlausibleDateField(label=_("Decision date"), required=False)
    forwarded_on = PlausibleDateField(label=_("Forwarded to the provider"), required=False)

    class Meta:
        model = Complaint
        fields = [
            "received_on",
            "kind",
            "provider",
            "subject",
            "citizen_ref",
            "decision",
            "decided_on",
            "forwarded_on",
            "general_practice",
        ]
        field_classes = {"provider": ProviderChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.order_by("name")

    def providers_not_open(self) -> list[Provider]:
        """Providers whose referrals are restricted or stopped, for the warning above the form: a
        complaint about one can still be registered (it may concern a course already given), but
        the caseworker should know."""
        return list(Provider.objects.exclude(referral_status=ReferralStatus.OPEN).order_by("name"))

    def clean(self):
        cleaned = super().clean()
        received, decided, forwarded = (
            cleaned.get("received_on"),
            cleaned.get("decided_on"),
            cleaned.get("forwarded_on"),
        )
        provider = cleaned.get("provider")
        if cleaned.get("kind") == Complaint.Kind.REALITY and provider and provider.kind != Provider.Kind.ANDEN_AKTOER:
            self.add_error("kind", _("A reality complaint concerns a decision by an Anden Aktør provider."))
        if received and received > timezone.localdate():
            self.add_error("received_on", _("The date lies in the future."))
        if cleaned.get("decision") and not decided:
            self.add_error("decided_on", _("Give the date of the decision."))
        if decided and not cleaned.get("decision"):
            self.add_error("decision", _("Choose the decision the date belongs to."))
        if received and decided and decided < received:
            self.add_error("decided_on", _("The decision cannot be dated before the complaint was received."))
        if forwarded and decided and forwarded < decided:
            self.add_error("forwarded_on", _("The decision cannot be forwarded before it was made."))
        return cleaned


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    not_forwarded = forms.BooleanField(label=_("Only decisions not yet forwarded"), required=False)
    general_practice = forms.BooleanField(label=_("Only general wrong practice"), required=False)

    def apply(self, complaints):
        if not self.is_valid():
            return complaints
        data = self.cleaned_data
        if text := data["q"].strip():
            complaints = complaints.filter(
                Q(ref__icontains=text) | Q(provider__name__icontains=text) | Q(subject__icontains=text)
            )
        if data["not_forwarded"]:
            complaints = complaints.exclude(decision="").filter(forwarded_on__isnull=True)
        if data["general_practice"]:
            complaints = complaints.filter(general_practice=True)
        return complaints


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the course?"),
        choices=[(5, _("5 – Very satisfied")), (4, _("4")), (3, _("3")), (2, _("2")), (1, _("1 – Not satisfied"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to add? (optional – do not write your name or CPR number)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # A field people do not see and robots fill in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))


class SpotCheckForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none())
    ongoing = forms.IntegerField(label=_("Ongoing cases"), min_value=0, max_value=200, initial=15)
    completed = forms.IntegerField(label=_("Completed cases"), min_value=0, max_value=200, initial=15)
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_("Leave empty for a new random draw; give an earlier seed to reproduce that draw."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.filter(kind__in=CASE_HANDLING_KINDS).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ongoing") == 0 and cleaned.get("completed") == 0:
            raise forms.ValidationError(_("Draw at least one case."))
        return cleaned


JUDGEMENT_CHOICES = [("", _("Not assessed")), ("yes", _("Met")), ("no", _("Not met"))]


class CaseReviewForm(forms.Form):
    """One radio group per checklist item for one sampled case."""

    def __init__(self, *args, items: list[ChecklistItem], **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[item.code] = forms.ChoiceField(
                label=item.label, choices=JUDGEMENT_CHOICES, required=False, widget=forms.RadioSelect
            )

    def judgements(self) -> dict[str, bool | None]:
        return {code: {"yes": True, "no": False}.get(value) for code, value in self.cleaned_data.items()}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is imported"), choices=[(kind, kind) for kind in KIND_NAMES])
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": settings.IMPORT_MAX_MB}
            )
        return upload


class HalfYearForm(forms.Form):
    period = forms.CharField(label=_("Half-year"), help_text=_("E.g. 2025H1 or 2025H2."))

    def clean_period(self) -> HalfYear:
        period = HalfYear.parse(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Write the half-year as e.g. 2025H1 or 2025H2."))
        return period
