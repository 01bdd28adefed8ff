"""Writes to providers, agreements, offers and referral status."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    REFERRAL_SEVERITY,
    ContactPerson,
    FrameworkAgreement,
    Offer,
    Provider,
    ReferralFields,
    ReferralStatus,
    RefSequence,
)

PROVIDER_REF_PREFIX = "LEV-"
OFFER_REF_PREFIX = "TIL-"


def next_ref(*, model: type[models.Model], prefix: str, width: int) -> str:
    """The next free `<prefix><number>` ref: past both the sequence and the highest number in use
    with that prefix (refs given on import count too).

    Call inside the transaction that saves the row: the sequence row stays locked until it
    commits, so concurrent creators take turns.
    """
    with transaction.atomic():
        RefSequence.objects.get_or_create(prefix=prefix)
        sequence = RefSequence.objects.select_for_update().get(prefix=prefix)
        pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
        in_use = [
            int(match.group(1))
            for ref in model.objects.filter(ref__startswith=prefix).values_list("ref", flat=True)
            if (match := pattern.match(ref))
        ]
        sequence.last = max(sequence.last, *in_use, 0) + 1
        sequence.save(update_fields=["last"])
    return f"{prefix}{sequence.last:0{width}d}"


def _apply(instance: models.Model, data: dict[str, Any]) -> None:
    for field, value in data.items():
        setattr(instance, field, value)


def save_with_ref(*, instance, model: type[models.Model], data: dict[str, Any], prefix: str, width: int):
    """Create (instance None) or update a row with a ref: generated when none is given, never changed.

    Two users creating at once may draw the same generated ref; the loser draws again. A ref the
    user typed that someone else took meanwhile is a field error, not a crash.
    """
    if instance is not None:
        data.pop("ref", None)
        _apply(instance, data)
        instance.full_clean()
        instance.save()
        return instance
    instance = model(**data)
    instance.ref = (instance.ref or "").strip().upper()
    generated = not instance.ref
    for _attempt in range(5):
        if generated:
            instance.ref = next_ref(model=model, prefix=prefix, width=width)
        # A generated ref is valid by construction; its uniqueness is settled by the insert below.
        instance.full_clean(exclude=["ref"] if generated else None)
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError as error:
            if not model.objects.filter(ref=instance.ref).exists():
                raise
            if not generated:
                raise ValidationError({"ref": _("This reference is already in use.")}) from error
            instance.pk = None
            continue
        return instance
    raise ValidationError(_("No free reference could be found; try again."))


@transaction.atomic
def provider_save(*, provider: Provider | None, data: dict[str, Any], contacts: list[dict[str, Any]]) -> Provider:
    """Create (provider None) or update a provider and replace its contact persons.

    `contacts` is the full list to keep: dicts of contact fields, with `id` for existing ones.
    A ref is generated when none is given, and never changes once set.
    """
    provider = save_with_ref(instance=provider, model=Provider, data=data, prefix=PROVIDER_REF_PREFIX, width=4)
    kept_ids = [contact["id"] for contact in contacts if contact.get("id")]
    provider.contacts.exclude(pk__in=kept_ids).delete()
    existing = {person.pk: person for person in provider.contacts.filter(pk__in=kept_ids)}
    for contact in contacts:
        fields = {key: value for key, value in contact.items() if key != "id"}
        if contact.get("id"):
            # Saved one by one, and only when changed, so the history records each real change.
            person = existing.get(contact["id"])
            if person is not None and any(getattr(person, key) != value for key, value in fields.items()):
                _apply(person, fields)
                person.save()
        else:
            ContactPerson.objects.create(provider=provider, **fields)
    return provider


@transaction.atomic
def agreement_save(*, agreement: FrameworkAgreement, data: dict[str, Any]) -> FrameworkAgreement:
    _apply(agreement, data)
    agreement.full_clean()
    agreement.save()
    return agreement


@transaction.atomic
def offer_save(*, offer: Offer | None, data: dict[str, Any]) -> Offer:
    """Create (offer None) or update an offer; a ref is generated when none is given."""
    return save_with_ref(instance=offer, model=Offer, data=data, prefix=OFFER_REF_PREFIX, width=5)


@transaction.atomic
def referral_status_set(*, target: ReferralFields, status: str, reason: str, by, on=None) -> ReferralFields:
    """Open, restrict or stop referrals to a provider or an offer, recording who, when and why.

    Three rules, so that the badge every page shows means what it says:
    - the municipality's own centres have no framework agreement, so there is nothing to restrict
      or stop (the measure belongs to contracts with external providers and Anden Aktør);
    - lifting a restriction or a stop (moving to a less strict status) is a person's decision and
      needs a justification, which becomes the stored reason (the history keeps the old one);
    - the same status with the same reason is no change: nothing is saved, so the history does
      not fill with empty entries.
    """
    reason = (reason or "").strip()
    provider = target.provider if isinstance(target, Offer) else target
    if status != ReferralStatus.OPEN and provider.is_internal:
        raise ValidationError(
            _(
                "The municipality's own centres have no framework agreement: referrals to them "
                "cannot be restricted or stopped."
            )
        )
    if status == target.referral_status and reason == (target.referral_reason or "").strip():
        raise ValidationError(
            _("The referral status is already “%(status)s” with this reason: nothing was changed.")
            % {"status": ReferralStatus(status).label}
        )
    if REFERRAL_SEVERITY[status] < REFERRAL_SEVERITY[target.referral_status] and not reason:
        raise ValidationError({"reason": _("Give a justification for lifting the referral restriction or stop.")})
    target.referral_status = status
    target.referral_reason = reason
    target.referral_set_on = on or timezone.localdate()
    target.referral_set_by = by
    target.save(update_fields=["referral_status", "referral_reason", "referral_set_on", "referral_set_by"])
    return target
