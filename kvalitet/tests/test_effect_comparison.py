"""The track pages agree with the effect colour (issue 13, item 5): beside an offer's effect rate
they show its comparable group pooled with the offer included, as before, and the comparison the
colour uses — the other offers of the group, the offer left out — from `others_in_group`."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kvalitet import figures
from kvalitet.models import Outcome
from kvalitet.periods import HalfYear
from kvalitet.scorecard import scorecards
from kvalitet.scoring import percent
from leverandoer.models import OfferType
from leverandoer.tests import factories as provider_factories

pytestmark = pytest.mark.django_db
H1 = HalfYear(2025, 1)


def outcomes(offer, *, off: int, n: int) -> None:
    Outcome.objects.bulk_create(
        Outcome(
            offer=offer,
            citizen_ref=f"B-{offer.ref}-{number}",
            course_start=date(2024, 6, 1),
            course_end=date(2024, 9, 1),
            months_after=6,
            follow_up_on=date(2025, 3, 1),
            off_public_support=number < off,
        )
        for number in range(n)
    )


@pytest.fixture
def group():
    """Provider P's two offers and two other providers' offers, all in one comparable group:
    20/100, 60/100 (P), 50/100 and 30/50."""
    provider = provider_factories.provider(ref="LEV-0400", name="Sammenlign ApS")
    weak = provider_factories.offer(ref="O-A", name="Forløb A", provider=provider)
    strong = provider_factories.offer(ref="O-B", name="Forløb B", provider=provider)
    outcomes(weak, off=20, n=100)
    outcomes(strong, off=60, n=100)
    outcomes(provider_factories.offer(ref="O-C"), off=50, n=100)
    outcomes(provider_factories.offer(ref="O-D"), off=30, n=50)
    return {"provider": provider, "weak": weak, "strong": strong}


def test_the_offer_figures_carry_the_group_with_and_without_the_offer(group):
    data = figures.offer_figures(offer=group["weak"], period=H1)
    assert data["group"]["outcomes"].percent == percent(160, 350)  # the offer included
    others = data["others"]
    assert (int(others.ratio.numerator), int(others.ratio.denominator)) == (140, 250)  # the offer left out
    assert (others.offers, others.providers) == (3, 3)  # its provider's other offer stays in


def test_the_track_pages_compare_as_the_effect_colour_does(group):
    card = scorecards(period=H1, provider_ids=[group["provider"].pk])[group["provider"].pk]
    effect = card.offers[group["weak"].pk]["effect"].figures
    others = figures.offer_figures(offer=group["weak"], period=H1)["others"]
    assert float(effect["group_rate"]) == float(others.ratio.percent)
    assert (effect["group_offers"], effect["group_providers"], effect["group_n"]) == (3, 3, 250)
    rows = {
        row["offer"].ref: row["others"]
        for row in figures.provider_figures(provider=group["provider"], period=H1)["rows"]
    }
    assert rows["O-A"] == others


def test_the_offer_track_page_shows_the_other_offers_of_the_group(cm_client, group):
    url = reverse("kvalitet:offer_tracks", args=[group["weak"].ref]) + "?period=2025H1"
    text = cm_client.get(url).content.decode()
    assert "gruppe: 45,7 %" in text  # 160 of 350: the group figure, the offer included
    assert "Øvrige tilbud i gruppen: 56,0 % (3 tilbud, 3 leverandører, n = 250)" in text
    assert "Effektfarven sammenligner tilbuddet med gruppens øvrige tilbud (tilbuddet selv holdt ude)" in text


def test_the_provider_track_page_shows_each_offers_comparison(cm_client, group):
    url = reverse("kvalitet:provider_tracks", args=[group["provider"].ref]) + "?period=2025H1"
    text = cm_client.get(url).content.decode()
    assert "Øvrige tilbud i gruppen: 56,0 % (3 tilbud, 3 leverandører, n = 250)" in text  # O-A
    assert "Øvrige tilbud i gruppen: 40,0 % (3 tilbud, 3 leverandører, n = 250)" in text  # O-B: 100 of 250


def test_an_offer_alone_in_its_group_has_no_comparison(cm_client, personas):
    alone = provider_factories.offer(ref="O-ALONE", offer_type=OfferType.objects.exclude(code="mentor").first())
    outcomes(alone, off=5, n=20)
    text = cm_client.get(reverse("kvalitet:offer_tracks", args=[alone.ref]) + "?period=2025H1").content.decode()
    assert "Øvrige tilbud i gruppen: ingen med et målt resultat" in text
