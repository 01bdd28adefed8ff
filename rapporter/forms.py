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
