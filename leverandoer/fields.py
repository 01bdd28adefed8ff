"""Model fields for free text, which a CPR number must never reach in clear text.

Every field where a person types prose (remarks, notes, justifications, a complaint's subject, a
survey comment, an uploaded file's own name) is one of these. The masking lives in the field, not in
each form or service, so it holds for every way a row is written: forms, services, imports
(`bulk_create` too), the admin, and the history rows django-simple-history copies from the row.
"""

from __future__ import annotations

from django import forms
from django.db import models

from .validators import cpr_numbers_in, mask_cpr

mask_cpr_keeping_length = mask_cpr  # its name before the one masking moved to validators


class CprMaskedFormField(forms.CharField):
    """The form field of a free-text model field: the number is masked in the cleaned value, and
    in the value a form shown again (with an error elsewhere) puts back on the page."""

    def to_python(self, value):
        value = super().to_python(value)
        return mask_cpr(value) if isinstance(value, str) else value

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return mask_cpr(data) if isinstance(data, str) else data


class CprMaskedMixin:
    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CprMaskedFormField, **kwargs})

    def pre_save(self, model_instance, add):
        """Mask the value on the instance too, so the saved object shows what was stored."""
        value = super().pre_save(model_instance, add)
        if isinstance(value, str) and (masked := mask_cpr(value)) != value:
            setattr(model_instance, self.attname, masked)
            return masked
        return value

    def get_prep_value(self, value):
        """Also for writes that skip `pre_save`: `QuerySet.update` and `bulk_update`."""
        value = super().get_prep_value(value)
        return mask_cpr(value) if isinstance(value, str) else value


class FreeTextField(CprMaskedMixin, models.TextField):
    """A TextField in which CPR numbers are masked before storage."""


class FreeCharField(CprMaskedMixin, models.CharField):
    """A CharField in which CPR numbers are masked before storage."""


def mask_existing_rows(apps, app_label: str) -> None:
    """For a data migration: mask CPR numbers already stored in the app's free-text fields, in the
    rows and in their history rows, so that text written before the fields masked is covered too."""
    for model in apps.get_app_config(app_label).get_models():
        names = [field.attname for field in model._meta.concrete_fields if isinstance(field, CprMaskedMixin)]
        for name in names:
            rows = model._default_manager.exclude(**{name: ""}).values_list("pk", name)
            for pk, value in rows.iterator():
                if value and cpr_numbers_in(value):
                    model._default_manager.filter(pk=pk).update(**{name: mask_cpr(value)})
