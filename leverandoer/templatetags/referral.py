"""`{% referral_badge thing %}`: the referral status of a provider, an offer or a report row.

One tag for every page that names a provider or an offer, so the badge reads the same
everywhere. A provider shows its own status, an offer its effective one (the stricter of its own
and its provider's), and a string is a status already worked out (a compiled report row, where
versions compiled before the key existed count as open).

`compact=True` shows nothing for an open status: lists stay quiet unless referrals are
restricted or stopped.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ..models import Offer, Provider, ReferralStatus

register = template.Library()


def referral_status_of(thing) -> str:
    if isinstance(thing, Offer):
        return thing.effective_referral_status()
    if isinstance(thing, Provider):
        return thing.referral_status
    if isinstance(thing, str) and thing in ReferralStatus.values:
        return thing
    return ReferralStatus.OPEN


@register.inclusion_tag("includes/_referral_badge.html")
def referral_badge(thing, compact: bool = False) -> dict:
    status = referral_status_of(thing)
    return {
        "status": status,
        "label": ReferralStatus(status).label,
        "hidden": compact and status == ReferralStatus.OPEN,
    }


@register.filter
def referral_note(thing) -> str:
    """Plain text for print (the committee PDF has no badges): "Henvisning: Stoppet" for a
    restricted or stopped status, nothing for an open one."""
    status = referral_status_of(thing)
    if status == ReferralStatus.OPEN:
        return ""
    return f"{_('Referral')}: {ReferralStatus(status).label}"
