"""Escalation a committee can trust (issue 13), through the compile: repeats of decided remarks only,
red twice only counting after a published 3–4 decision, every scenario 4 naming its cause, effect
colours with their interval, and offers coloured in the snapshot."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from conftest import make_user
from kvalitet.models import Complaint, Outcome
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.tests import factories as provider_factories
from rapporter import reasons, services
from tilsyn import services as supervision_services
from tilsyn.tests import factories as supervision

pytestmark = pytest.mark.django_db
H2_2024, H1 = HalfYear(2024, 2), HalfYear(2025, 1)


def upheld_complaints(provider, on: date, n: int = 3, prefix: str = "K"):
    for number in range(n):
        Complaint.objects.create(
            ref=f"{prefix}-{on.isoformat()}-{number}",
            provider=provider,
            kind="formality",
            received_on=on,
            decision="upheld",
            decided_on=on,
        )


def publish(period: HalfYear, manager, second, overrides: dict | None = None):
    report = services.compile_now(period=period, by=manager)
    for ref, scenario in (overrides or {}).items():
        services.scenario_decide(
            report=report, provider_ref=ref, scenario=scenario, justification="Vurderet.", by=manager
        )
    services.report_approve(report=report, by=second)
    services.report_publish(report=report, by=second)
    return report


def row_of(report, ref: str) -> dict:
    return next(row for row in report.data["providers"] if row["provider_ref"] == ref)


@pytest.fixture
def managers(personas):
    return personas["contract_manager"], make_user("mads", Role.CONTRACT_MANAGER)


def test_red_twice_gives_4_only_after_a_published_decision_of_3_or_4_on_that_track(managers):
    manager, second = managers
    provider = provider_factories.provider(ref="LEV-0200", name="Gentager ApS")
    upheld_complaints(provider, date(2024, 10, 1))
    upheld_complaints(provider, date(2025, 2, 1))
    # The previous half-year is compiled but not published: undecided, so 3, and the reason says why.
    services.compile_now(period=H2_2024, by=manager)
    undecided = row_of(services.compile_now(period=H1, by=manager), "LEV-0200")
    assert (undecided["proposed_scenario"], undecided["scenario_reason"]) == (3, "red_twice_undecided")
    with translation.override("da"):
        assert reasons.scenario_reason(undecided) == (
            "Rød: klager. Klager: rød to halvår i træk; forrige halvår ikke afgjort som scenarie 3–4."
        )
    # Published as 3 with complaints among its reasons: now a decided repeat, 4, naming the half-year.
    publish(H2_2024, manager, second)
    decided = row_of(services.compile_now(period=H1, by=manager), "LEV-0200")
    assert (decided["proposed_scenario"], decided["scenario_reason"]) == (4, "red_again_decided")
    assert decided["scenario_details"] == {"previous_period": "2024-H2", "previous_scenario": 3}
    with translation.override("da"):
        assert "som i 2024-H2, hvor den offentliggjorte afgørelse var scenarie 3" in reasons.scenario_reason(decided)


def test_a_previous_half_year_decided_lower_by_override_is_no_repeat(managers):
    manager, second = managers
    provider = provider_factories.provider(ref="LEV-0201")
    upheld_complaints(provider, date(2024, 10, 1))
    upheld_complaints(provider, date(2025, 2, 1))
    publish(H2_2024, manager, second, overrides={"LEV-0201": 2})
    row = row_of(services.compile_now(period=H1, by=manager), "LEV-0201")
    assert (row["proposed_scenario"], row["scenario_reason"]) == (3, "red_twice_undecided")
    assert row["scenario_details"]["previous_scenario"] == 2


@pytest.mark.parametrize(
    ("earlier_decision", "scenario", "reason"),
    [(3, 4, "repeated_remark"), (2, 3, "red_twice_undecided"), (None, 3, "red_twice_undecided")],
)
def test_a_red_finding_repeats_only_a_remark_decided_as_3_or_4(personas, earlier_decision, scenario, reason):
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    provider = provider_factories.provider(ref="LEV-0202")
    earlier = supervision.submitted(
        performer=inspector, provider=provider, performed_on=date(2024, 11, 4), findings=[("premises", "red")]
    )
    if earlier_decision:
        supervision_services.assessment_confirm(
            inspection=earlier, scenario=earlier_decision, justification="Vurderet.", by=manager
        )
    now = supervision.submitted(
        performer=inspector, provider=provider, performed_on=date(2025, 3, 3), findings=[("premises", "red")]
    )
    row = row_of(services.compile_now(period=H1), "LEV-0202")
    assert (row["proposed_scenario"], row["scenario_reason"]) == (scenario, reason)
    if reason == "repeated_remark":
        [repeat] = row["scenario_details"]["repeats"]
        assert (repeat["inspection"], repeat["area"], repeat["earlier"]) == (now.ref, "premises", [earlier.ref])
        with translation.override("da"):
            assert reasons.scenario_reason(row) == (
                "Et rødt fund gentager en bemærkning, der er afgjort som mere kritisabel (scenarie 3–4): "
                f"De fysiske rammer på leveringsadressen i {now.ref} gentager {earlier.ref}."
            )


def test_an_imported_inspection_decided_before_tilsyn_counts_as_decided(personas):
    inspector = personas["inspector_a"]
    provider = provider_factories.provider(ref="LEV-0203")
    earlier = supervision.inspection(
        performer=None,
        created_by=inspector,
        provider=provider,
        performed_on=date(2024, 9, 2),
        imported=True,
        decided_scenario=3,
        status="closed",
    )
    supervision.finding(earlier, "premises", "red")
    supervision.submitted(
        performer=inspector, provider=provider, performed_on=date(2025, 3, 3), findings=[("premises", "red")]
    )
    row = row_of(services.compile_now(period=H1), "LEV-0203")
    assert (row["proposed_scenario"], row["scenario_reason"]) == (4, "repeated_remark")


def test_a_decided_inspection_raises_the_half_year_and_is_named(personas):
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    provider = provider_factories.provider(ref="LEV-0204")
    inspection = supervision.submitted(
        performer=inspector, provider=provider, performed_on=date(2025, 3, 3), findings=[("premises", "yellow")]
    )
    supervision_services.assessment_confirm(inspection=inspection, scenario=4, justification="Groft.", by=manager)
    row = row_of(services.compile_now(period=H1), "LEV-0204")
    assert (row["proposed_scenario"], row["scenario_reason"], row["raised_from"]) == (4, "raised_by_inspection", 2)
    with translation.override("da"):
        assert reasons.scenario_reason(row) == (
            f"Hævet fra 2 til scenarie 4, som er afgjort på tilsyn {inspection.ref} i halvåret."
        )


def outcomes(offer, off: int, n: int):
    for number in range(n):
        Outcome.objects.create(
            offer=offer,
            citizen_ref=f"B-{offer.ref}-{number}",
            course_start=date(2024, 6, 1),
            course_end=date(2024, 9, 1),
            months_after=6,
            follow_up_on=date(2025, 3, 1),
            off_public_support=number < off,
        )


def test_effect_colours_carry_their_interval_and_an_offer_alone_gets_none():
    weak = provider_factories.offer(ref="O-WEAK", provider=provider_factories.provider(ref="LEV-0300"))
    for number in range(3):
        outcomes(provider_factories.offer(ref=f"O-PEER-{number}"), off=50, n=100)
    outcomes(weak, off=20, n=100)
    from leverandoer.models import OfferType

    alone = provider_factories.offer(
        ref="O-ALONE",
        provider=provider_factories.provider(ref="LEV-0301"),
        offer_type=OfferType.objects.exclude(code="mentor").first(),
    )
    outcomes(alone, off=1, n=50)
    provider_factories.agreement(provider=alone.provider, starts_on=date(2024, 1, 1), ends_on=date(2027, 12, 31))
    report = services.compile_now(period=H1)
    effect = row_of(report, "LEV-0300")["tracks"]["effect"]
    assert effect["colour"] == "red"
    assert {key: effect["figures"][key] for key in ("rate", "n", "interval_low", "interval_high")} == {
        "rate": 20.0,
        "n": 100,
        "interval_low": 14.3,
        "interval_high": 27.3,
    }
    assert {key: effect["figures"][key] for key in ("group_rate", "group_offers", "group_providers", "group_n")} == {
        "group_rate": 50.0,
        "group_offers": 3,
        "group_providers": 3,
        "group_n": 300,
    }
    lonely = row_of(report, "LEV-0301")["tracks"]["effect"]
    assert (lonely["colour"], lonely["reason"]) == ("none", "no_comparable")
    with translation.override("da"):
        text = reasons.track_reason(effect)
    assert "20,0 % ude af offentlig forsørgelse (n = 100; 90 %-interval 14,3–27,3 %) mod 50,0 %" in text


def test_every_offer_gets_its_five_colours_in_the_snapshot():
    provider = provider_factories.provider(ref="LEV-0400")
    offer = provider_factories.offer(ref="O-0400", name="Mentorforløb", provider=provider)
    upheld_complaints(provider, date(2025, 2, 1))
    for number in range(3):
        outcomes(provider_factories.offer(ref=f"O-PEER-{number}"), off=50, n=100)
    outcomes(offer, off=20, n=100)
    row = row_of(services.compile_now(period=H1), "LEV-0400")
    [entry] = row["offers"]
    assert (entry["offer_ref"], entry["name"]) == ("O-0400", "Mentorforløb")
    assert set(entry["tracks"]) == {"complaints", "user_surveys", "case_handling", "effect", "supervision"}
    assert entry["tracks"]["effect"]["colour"] == "red"
    assert (entry["tracks"]["complaints"]["colour"], entry["tracks"]["complaints"]["reason"]) == (
        "red",
        "provider_level",
    )
    with translation.override("da"):
        assert reasons.track_reason(entry["tracks"]["complaints"]).startswith(
            "Måles for leverandøren, ikke pr. tilbud: Klager: 3, heraf med medhold: 3; rød over 2."
        )
