from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kvalitet.periods import HalfYear


class CompileForm(forms.Form):
    period = forms.CharField(label=_("Half-year"), help_text=_("E.g. 2024-H2."), max_length=10)

    def clean_period(self) -> HalfYear:
        period = HalfYear.parse(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Write the half-year as e.g. 2024-H1 or 2024-H2."))
        return period


class ScenarioForm(forms.Form):
    provider_ref = forms.CharField(max_length=32)
    scenario = forms.TypedChoiceField(label=_("Scenario"), choices=[(n, str(n)) for n in range(1, 5)], coerce=int)
    justification = forms.CharField(
        label=_("Justification"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the version discarded?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the version is discarded.")},
    )
