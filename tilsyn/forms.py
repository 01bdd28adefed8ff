"""Forms for planning, recording and assessing inspections. They validate; the services write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leverandoer.access import Role
from leverandoer.forms import PlausibleDateField, UserChoiceField, chosen_provider_id
from leverandoer.models import Offer, Provider

from .models import OFFERS_ONLY_BY_STRATEGY, OWN_CENTRE_REFUSED, ActionPlan, Inspection, Measure, Rating, Scenario
from .uploads import display_name, pdf_without_active_content, validate_pdf


def performers():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.CONTRACT_MANAGER, Role.INSPECTOR])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PerformerChoiceField(UserChoiceField):
    def label_from_instance(self, obj) -> str:
        external = any(group.name == Role.INSPECTOR for group in obj.groups.all())
        role = _("external inspector") if external else _("contract manager")
        return f"{super().label_from_instance(obj)} ({role})"


class InspectionForm(forms.ModelForm):
    performer = PerformerChoiceField(queryset=None, label=_("Performed by"))
    planned_on = PlausibleDateField(label=_("Planned date"))
    report_deadline = PlausibleDateField(label=_("Deadline for the report"), required=False)
    offers = forms.ModelMultipleChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        label=_("Offers"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional: the offers the inspection covers."),
    )

    class Meta:
        model = Inspection
        fields = [
            "provider",
            "offers",
            "method",
            "kind",
            "announced",
            "planned_on",
            "performer",
            "report_deadline",
            "case_number",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.filter(active=True).order_by("name")
        self.fields["performer"].queryset = performers().prefetch_related("groups")
        if provider_id := chosen_provider_id(self):
            # Offers already ticked stay valid choices, so that a changed provider gets the clear
            # message from clean() rather than "not one of the available choices".
            posted = (
                [pk for pk in self.data.getlist("offers") if pk.isdigit() and len(pk) <= 18] if self.is_bound else []
            )
            self.fields["offers"].queryset = Offer.objects.filter(
                Q(provider_id=provider_id) | Q(pk__in=posted)
            ).order_by("name")
        self.fields["announced"].help_text = _("Leave unticked for an unannounced visit.")

    def clean(self):
        cleaned = super().clean()
        planned, deadline = cleaned.get("planned_on"), cleaned.get("report_deadline")
        if planned and deadline and deadline < planned:
            self.add_error("report_deadline", _("The report deadline cannot be before the planned date."))
        provider = cleaned.get("provider")
        foreign = [offer.name for offer in cleaned.get("offers", []) if provider and offer.provider_id != provider.pk]
        if foreign:
            self.add_error(
                "offers",
                _("These offers belong to another provider; untick them: %(offers)s") % {"offers": ", ".join(foreign)},
            )
        return cleaned


class FindingForm(forms.Form):
    """One control area: the rating (empty: not checked), a remark, and the gross-violation flag."""

    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=[("", _("Not checked")), *Rating.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    remark = forms.CharField(
        label=_("Remark"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    gross_violation = forms.BooleanField(label=_("Gross violation of the framework agreement"), required=False)

    def __init__(self, *args, area, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        rating = cleaned.get("rating")
        if not rating and (cleaned.get("remark", "").strip() or cleaned.get("gross_violation")):
            self.add_error("rating", _("Choose a rating, or remove the remark and the flag."))
        if cleaned.get("gross_violation") and rating and rating != Rating.RED:
            self.add_error("gross_violation", _("A gross violation can only be flagged on a red finding."))
        return cleaned

    def as_finding(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("rating"):
            return None
        return {
            "area": self.area.code,
            "rating": data["rating"],
            "remark": data.get("remark", "").strip(),
            "gross_violation": data.get("gross_violation", False),
        }


class PdfField(forms.FileField):
    """A PDF, checked by content and without active content; the cleaned file carries a safe
    `display_name` and `active_content`, the kinds removed (`uploads.active_content_message`)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial:
            validate_pdf(upload)
            shown = display_name(upload.name)
            upload = pdf_without_active_content(upload)
            upload.display_name = shown
        return upload


class RecordForm(forms.Form):
    performed_on = PlausibleDateField(label=_("Performed date"), required=False)
    report = PdfField(label=_("Visit report (PDF)"), required=False)


def finding_forms(*, data, inspection, areas) -> list[FindingForm]:
    existing = {finding.control_area_id: finding for finding in inspection.findings.all()}
    forms_ = []
    for area in areas:
        finding = existing.get(area.pk)
        initial = (
            {"rating": finding.rating, "remark": finding.remark, "gross_violation": finding.gross_violation}
            if finding
            else {}
        )
        forms_.append(FindingForm(data, area=area, prefix=f"area-{area.code}", initial=initial))
    return forms_


class AssessmentForm(forms.Form):
    scenario = forms.TypedChoiceField(
        label=_("Scenario"), choices=Scenario.choices, coerce=int, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you choose another scenario than the proposed one."),
    )
    offers = forms.ModelMultipleChoiceField(
        label=_("Offers with a changed referral strategy (scenario 3)"),
        queryset=Offer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Scenario 3: referrals to the offers you tick are restricted at once. Tick none to decide the "
            "referral strategy later from the case."
        ),
    )

    def __init__(self, *args, proposed: int, provider: Provider, **kwargs):
        self.proposed = proposed
        super().__init__(*args, **kwargs)
        if provider.is_internal:
            # An own centre has no framework agreement: no referral strategy to change.
            del self.fields["offers"]
        else:
            self.fields["offers"].queryset = provider.offers.filter(active=True).order_by("name")

    def clean(self):
        cleaned = super().clean()
        scenario = cleaned.get("scenario")
        if scenario and scenario != self.proposed and not cleaned.get("justification", "").strip():
            self.add_error("justification", _("Explain why you choose another scenario than the proposed one."))
        if cleaned.get("offers") and scenario != Scenario.MORE:
            self.add_error("offers", OFFERS_ONLY_BY_STRATEGY)
        return cleaned


class CaseOpenForm(forms.Form):
    """A case opened from other knowledge (Table 1: "the same procedure when matters come to the
    administration's knowledge in other ways")."""

    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none())
    knowledge_source = forms.CharField(
        label=_("Where the knowledge came from"),
        max_length=300,
        help_text=_("E.g. a caseworker's report, a citizen's enquiry, the press, another administration."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the matter calls for a follow-up case."),
    )
    scenario = forms.TypedChoiceField(
        label=_("Scenario"),
        choices=[("", _("Not decided yet")), *[(n, label) for n, label in Scenario.choices if n >= 2]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    case_number = forms.CharField(label=_("Case number"), max_length=60, required=False)

    def __init__(self, *args, providers, open_cases: dict[int, dict], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        field.queryset = providers
        # Say up front which providers already have an open case (a second one is refused).
        field.label_from_instance = lambda provider: (
            _("%(provider)s – open case %(ref)s") % {"provider": provider, "ref": open_cases[provider.pk]["ref"]}
            if provider.pk in open_cases
            else str(provider)
        )


class CaseNumberForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=60,
        required=False,
        help_text=_("The journal number in the records system, e.g. 2026-0012345."),
    )


class CaseMeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=Measure.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        if provider.is_internal:
            # Only what applies to an own centre is offered; the service refuses the rest anyway.
            self.fields["kind"].choices = [
                (code, label) for code, label in Measure.Kind.choices if code not in Measure.CONTRACTUAL
            ]
            # A contractual one posted all the same is refused in the service's words, not as an
            # unknown code.
            self.fields["kind"].error_messages["invalid_choice"] = OWN_CENTRE_REFUSED


class CaseCloseForm(forms.Form):
    note = forms.CharField(label=_("How the case ended"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class DoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ActionPlanForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlan.Status.choices)
    file = PdfField(label=_("The provider's action plan (PDF)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class InspectionFilterForm(forms.Form):
    """Simple filters for the inspection list (validated, so bad values never reach a query)."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Inspection.Status.choices])
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("All")), *Inspection.Method.choices])

    def apply(self, inspections):
        if not self.is_valid():
            return inspections
        data = self.cleaned_data
        if data["q"]:
            inspections = inspections.filter(
                Q(ref__icontains=data["q"])
                | Q(provider__name__icontains=data["q"])
                | Q(case_number__icontains=data["q"])
            )
        if data["status"]:
            inspections = inspections.filter(status=data["status"])
        if data["method"]:
            inspections = inspections.filter(method=data["method"])
        return inspections


class PlanFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("Give the year as a number, e.g. 2025.")},
    )
    mine = forms.BooleanField(label=_("Only providers I manage"), required=False)
    missing = forms.BooleanField(label=_("Only providers not yet supervised"), required=False)
