"""Change history as a person reads it: when, who, what, and each changed field's old and new value.

One reader for every page that shows history (provider, offer, complaint, inspection), over the
history tables django-simple-history keeps. It lives in the lowest app so every app can use it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

HISTORY_TYPES = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


def history_entries(sources) -> list[dict]:
    """`sources`: (label, history queryset) pairs. Every recorded change in them, newest first, with
    who, when, what, and the fields that changed against the row's previous version."""
    entries = []
    for label, records in sources:
        records = list(records.select_related("history_user").order_by("id", "history_date", "history_id"))
        previous_by_id: dict = {}
        for record in records:
            previous = previous_by_id.get(record.id)
            changes = []
            if previous is not None:
                for change in record.diff_against(previous).changes:
                    field = record.instance_type._meta.get_field(change.field)
                    changes.append(
                        {
                            "field": field.verbose_name,
                            "old": display_value(field, change.old),
                            "new": display_value(field, change.new),
                        }
                    )
            previous_by_id[record.id] = record
            entries.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": f"{label}: {record.instance}" if record.history_type != "-" else str(label),
                    "type": HISTORY_TYPES[record.history_type],
                    "changes": changes,
                }
            )
    return sorted(entries, key=lambda entry: entry["when"], reverse=True)


def display_value(field, value) -> str:
    """A history value as a person reads it: labels for choices, names for people, no file paths."""
    if value in (None, ""):
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.FileField):
        return str(gettext_lazy("new file"))
    if field.many_to_many:  # a list of the through table's rows
        ids = [row[field.m2m_reverse_field_name()] for row in value]
        return ", ".join(str(related) for related in field.related_model._default_manager.filter(pk__in=ids)) or "–"
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        if related is None:
            return "–"
        return (related.get_full_name() or related.username) if hasattr(related, "get_full_name") else str(related)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return str(gettext_lazy("Yes") if value else gettext_lazy("No"))
    return str(value)


def provider_history(*, provider) -> list[dict]:
    """The provider's own changes, and those of its contact persons and framework agreements."""
    from .models import ContactPerson, FrameworkAgreement, Provider

    return history_entries(
        [
            (gettext_lazy("Provider"), Provider.history.filter(id=provider.pk)),
            (gettext_lazy("Contact person"), ContactPerson.history.filter(provider_id=provider.pk)),
            (gettext_lazy("Framework agreement"), FrameworkAgreement.history.filter(provider_id=provider.pk)),
        ]
    )


def offer_history(*, offer) -> list[dict]:
    from .models import Offer

    return history_entries([(gettext_lazy("Offer"), Offer.history.filter(id=offer.pk))])


def record_existing_rows(apps, app_label: str, model_names: list[str]) -> None:
    """For a data migration: a "created" history row, stamped now and by nobody, for each existing
    row of models whose history has just begun — so that the first real change shows what it
    changed from, as `manage.py populate_history` would."""
    now = timezone.now()
    for name in model_names:
        model = apps.get_model(app_label, name)
        historical = apps.get_model(app_label, f"Historical{name}")
        started = historical.objects.values_list("id", flat=True)
        historical.objects.bulk_create(
            historical(
                **{field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields},
                history_date=now,
                history_type="+",
                history_change_reason="History began",
            )
            for row in model.objects.exclude(pk__in=started)
        )
