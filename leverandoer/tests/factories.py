"""Small factories for tests: valid objects with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date

from leverandoer.models import FrameworkAgreement, Offer, OfferType, Provider, TargetGroup

_numbers = itertools.count(1)
VALID_CVRS = ["10150817", "25313763", "29403473", "12345674"]


def provider(**fields) -> Provider:
    number = next(_numbers)
    defaults = {
        "ref": f"T-{number:05d}",
        "name": f"Testleverandør {number}",
        "kind": Provider.Kind.EXTERNAL,
        "cvr": VALID_CVRS[number % len(VALID_CVRS)],
    }
    defaults.update(fields)
    if defaults["kind"] == Provider.Kind.INTERNAL:
        defaults.setdefault("administration", Provider.Administration.BIF)
        defaults["cvr"] = fields.get("cvr", "")
    return Provider.objects.create(**defaults)


def agreement(**fields) -> FrameworkAgreement:
    defaults = {"title": "Rammeaftale 2024–2027", "starts_on": date(2024, 1, 1), "ends_on": date(2027, 12, 31)}
    defaults.update(fields)
    if "provider" not in defaults:
        defaults["provider"] = provider()
    return FrameworkAgreement.objects.create(**defaults)


def offer(**fields) -> Offer:
    number = next(_numbers)
    defaults = {
        "ref": f"O-{number:05d}",
        "name": f"Testtilbud {number}",
        "offer_type": OfferType.objects.get(code="mentor"),
        "target_group": TargetGroup.objects.get(code="jobparate"),
    }
    defaults.update(fields)
    if "provider" not in defaults:
        defaults["provider"] = provider()
    return Offer.objects.create(**defaults)
