"""Change history as a person reads it: when, who, what, and each changed field's old and new value.

One reader for every page that shows history (provider, offer, complaint, inspection), over the
history tables django-simple-history keeps. It lives in the lowest app so every app can use it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from .templatetags.people import person

HISTORY_TYPES = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


def history_entries(sources) -> list[dict]:
    """`sources`: (label, history queryset) pairs. Every recorded change in them, newest first, with
    who, when, what, and the fields that changed against the row's previous version.

    Set-based: the objects the rows point at (for their names and for changed foreign keys) are read
    once per model, not once per row."""
    entries = []
    names: dict = {}
    for label, records in sources:
        records = list(records.select_related("history_user").order_by("id", "history_date", "history_id"))
        instances = _with_relations([record.instance for record in records])
        m2m_fields = list(getattr(records[0], "_history_m2m_fields", [])) if records else []
        linked = _linked_ids(records, m2m_fields)
        previous_by_id: dict = {}
        for record, instance in zip(records, instances, strict=True):
            previous = previous_by_id.get(record.id)
            changes = []
            if previous is not None:
                for field in m2m_fields:
                    old_ids, new_ids = linked[field.name][previous.history_id], linked[field.name][record.history_id]
                    if old_ids != new_ids:
                        changes.append(
                            {
                                "field": field.verbose_name,
                                "old": _names(field, old_ids, names),
                                "new": _names(field, new_ids, names),
                            }
                        )
                excluded = [field.name for field in m2m_fields]
                for change in record.diff_against(previous, excluded_fields=excluded).changes:
                    field = record.instance_type._meta.get_field(change.field)
                    changes.append(
                        {
                            "field": field.verbose_name,
                            "old": display_value(field, change.old, names),
                            "new": display_value(field, change.new, names),
                        }
                    )
            previous_by_id[record.id] = record
            entries.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": f"{label}: {instance}" if record.history_type != "-" else str(label),
                    "type": HISTORY_TYPES[record.history_type],
                    "changes": changes,
                }
            )
    return sorted(entries, key=lambda entry: entry["when"], reverse=True)


def _linked_ids(records: list, m2m_fields: list) -> dict[str, dict[int, list]]:
    """For each tracked many-to-many field: history row → the sorted ids it linked, in one query
    per field (simple-history's own diff asks twice per row)."""
    linked: dict[str, dict[int, list]] = {}
    for field in m2m_fields:
        through = getattr(records[0], field.name).model
        target = field.m2m_reverse_field_name()
        rows: dict[int, list] = {record.history_id: [] for record in records}
        for history_id, target_id in through.objects.filter(history_id__in=list(rows)).values_list(
            "history_id", target
        ):
            rows[history_id].append(target_id)
        linked[field.name] = {key: sorted(ids) for key, ids in rows.items()}
    return linked


def _names(field, ids: list, names: dict) -> str:
    missing = [pk for pk in ids if (field.related_model, pk) not in names]
    if missing:
        for pk, related in field.related_model._default_manager.in_bulk(missing).items():
            names[(field.related_model, pk)] = str(related)
    return ", ".join(names.get((field.related_model, pk), "–") for pk in ids) or "–"


def _with_relations(instances: list) -> list:
    """The objects each instance points at, read once per related model and cached on the instances,
    so that their names (`__str__`) need no query of their own."""
    if not instances:
        return instances
    for field in instances[0]._meta.concrete_fields:
        if not field.many_to_one:
            continue
        ids = {getattr(instance, field.attname) for instance in instances} - {None}
        related = field.related_model._default_manager.in_bulk(ids)
        for instance in instances:
            if (pk := getattr(instance, field.attname)) in related:
                field.set_cached_value(instance, related[pk])
    return instances


def display_value(field, value, names: dict | None = None) -> str:
    """A history value as a person reads it: labels for choices, names for people, no file paths.
    `names` remembers related objects' names across calls (one query per object at most)."""
    if value in (None, ""):
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.FileField):
        return str(gettext_lazy("new file"))
    if field.is_relation:
        key = (field.related_model, value)
        if names is None or key not in names:
            related = field.related_model._default_manager.filter(pk=value).first()
            name = "–" if related is None else person(related) if hasattr(related, "get_full_name") else str(related)
            if names is None:
                return name
            names[key] = name
        return names[key]
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
