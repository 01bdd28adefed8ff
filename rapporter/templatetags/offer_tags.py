"""The report's offer colours, for the report page and the committee PDF. Snapshots compiled before
offers were coloured have no `offers` in their rows: they give nothing here, and no section shows."""

from __future__ import annotations

from django import template

from rapporter import live

register = template.Library()

FLAGGED = ("yellow", "red")


@register.filter
def with_offers(rows: list[dict]) -> list[dict]:
    """The provider rows that list offers."""
    return [row for row in rows if row.get("offers")]


@register.filter
def offer_entries(offer: dict) -> list[dict]:
    """An offer's five tracks: name, colour in words and reason."""
    return live.entries(offer.get("tracks") or {})


@register.simple_tag
def flagged_offers(rows: list[dict]) -> list[dict]:
    """The offers yellow or red on some track, per comparable group (offer type, target group),
    the groups and their offers in name order: what the committee reads, not every offer."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        for offer in row.get("offers") or []:
            tracks = live.entries(offer.get("tracks") or {})
            flagged = [entry for entry in tracks if entry["colour"] in FLAGGED]
            if not flagged:
                continue
            key = (offer.get("offer_type") or "", offer.get("target_group") or "")
            groups.setdefault(key, []).append({"offer": offer, "provider": row, "tracks": tracks, "flagged": flagged})
    return [
        {
            "offer_type": offer_type,
            "target_group": target_group,
            "offers": sorted(
                offers, key=lambda item: (item["offer"].get("name", ""), item["offer"].get("offer_ref", ""))
            ),
        }
        for (offer_type, target_group), offers in sorted(groups.items())
    ]
