"""Follow-up cases (Table 1): one open case per provider from any source, measures that take effect
at once, and the regime for the municipality's own centres."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import client_for
from leverandoer.models import Provider, ReferralStatus
from leverandoer.tests import factories as provider_factories
from tilsyn import services
from tilsyn.models import ActionPlan, CaseEvent, FollowUp, FollowUpCase, Measure
from tilsyn.tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2025, 4, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The clock of a day in 2025, where the factories' inspections lie."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def provider(personas):
    return provider_factories.provider(name="Rød ApS", contract_manager=personas["contract_manager"])


@pytest.fixture
def centre(personas):
    return provider_factories.provider(
        name="Jobcenter Syd",
        kind=Provider.Kind.INTERNAL,
        administration="BIF",
        contract_manager=personas["contract_manager"],
    )


def _red(provider, personas, **fields):
    return factories.submitted(
        performer=personas["inspector_a"], provider=provider, findings=[("premises", "red")], **fields
    )


def test_confirming_scenario_3_opens_the_case_and_restricts_the_chosen_offers_at_once(client, personas, provider):
    kept, restricted = (provider_factories.offer(provider=provider, name=name) for name in ("Mentor", "Afklaring"))
    inspection = _red(provider, personas)
    client_for(client, personas["contract_manager"])
    response = client.post(
        reverse("tilsyn:inspection_assess", args=[inspection.ref]),
        {"scenario": "3", "justification": "", "offers": [restricted.pk]},
        follow=True,
    )
    case = FollowUpCase.objects.get()
    assert re.fullmatch(r"OPF-2025-\d{4}", case.ref)
    assert (case.provider, case.scenario, case.source, case.status) == (provider, 3, "inspection", "awaiting_plan")
    page = _text(response)
    assert f"Opfølgningssag {case.ref} er oprettet (scenarie 3)." in page
    assert "Henvisning er begrænset for: Afklaring." in page
    restricted.refresh_from_db()
    kept.refresh_from_db()
    provider.refresh_from_db()
    assert (restricted.referral_status, kept.referral_status) == ("restricted", "open")
    assert provider.referral_status == "open"
    assert case.ref in restricted.referral_reason
    strategy = case.measures.get(kind=Measure.Kind.REFERRAL_STRATEGY)
    assert strategy.done_on == TODAY
    assert list(strategy.offers.all()) == [restricted]
    assessment = inspection.assessment
    assert assessment.case == case
    assert set(case.measures.values_list("assessment", flat=True)) == {assessment.pk}
    assert ActionPlan.objects.get().case == case
    assert case.follow_ups.count() == FollowUp.objects.count() > 0
    # The case page shows it all; the restriction shows on the offer's and the provider's pages.
    detail = _text(client.get(case.get_absolute_url()))
    assert "Afklaring: Begrænset" in detail
    assert inspection.ref in detail
    assert "Begrænset" in _text(client.get(restricted.get_absolute_url()))


def test_scenario_4_stops_referrals_to_an_external_provider_at_once(personas, provider):
    assessment = services.assessment_confirm(
        inspection=_red(provider, personas),
        scenario=4,
        justification="Grov overtrædelse",
        by=personas["contract_manager"],
    )
    provider.refresh_from_db()
    assert provider.referral_status == ReferralStatus.STOPPED
    assert assessment.case.ref in provider.referral_reason
    stop = assessment.case.measures.get(kind=Measure.Kind.REFERRAL_STOP)
    assert (stop.done_on, stop.done_by) == (TODAY, personas["contract_manager"])
    assert "Henvisninger til Rød ApS er stoppet." in assessment.decision.messages()


def test_scenario_1_opens_no_case_and_2_opens_one(personas, provider):
    manager = personas["contract_manager"]
    green = factories.submitted(performer=personas["inspector_a"], provider=provider, findings=[("premises", "green")])
    services.assessment_confirm(inspection=green, scenario=1, justification="", by=manager)
    assert not FollowUpCase.objects.exists()
    yellow = factories.submitted(performer=personas["inspector_a"], provider=provider)
    services.assessment_confirm(inspection=yellow, scenario=2, justification="", by=manager)
    assert FollowUpCase.objects.get().scenario == 2


def test_offers_are_restricted_only_by_scenario_3(client, personas, provider):
    offer = provider_factories.offer(provider=provider)
    inspection = _red(provider, personas)
    client_for(client, personas["contract_manager"])
    response = client.post(
        reverse("tilsyn:inspection_assess", args=[inspection.ref]),
        {"scenario": "4", "justification": "Gentagelse", "offers": [offer.pk]},
    )
    assert response.status_code == 200
    assert "Tilbud begrænses kun ved en ændret henvisningsstrategi (scenarie 3)." in _text(response)
    assert 'value="Gentagelse"' in response.content.decode() or "Gentagelse</textarea>" in response.content.decode()
    assert not FollowUpCase.objects.exists()
    offer.refresh_from_db()
    assert offer.referral_status == "open"


def test_a_new_escalation_joins_and_raises_the_open_case_with_one_plan_in_progress(personas, provider):
    manager = personas["contract_manager"]
    first = services.assessment_confirm(
        inspection=factories.submitted(performer=personas["inspector_a"], provider=provider),
        scenario=2,
        justification="",
        by=manager,
    )
    plan = ActionPlan.objects.get()
    second = services.assessment_confirm(inspection=_red(provider, personas), scenario=3, justification="", by=manager)
    assert first.case == second.case
    case = FollowUpCase.objects.get()
    assert case.scenario == 3
    assert second.decision.messages()[0] == f"Opfølgningssag {case.ref} er hævet fra scenarie 2 til 3."
    assert list(case.history.order_by("history_id").values_list("scenario", flat=True)) == [2, 2, 3]
    # One plan in progress: the new demand updated it (the stricter deadline stays), with history.
    assert ActionPlan.objects.get() == plan
    plan.refresh_from_db()
    assert plan.case == case
    assert plan.history.count() >= 2
    assert list(case.events.values_list("source", "scenario", "raised_from")) == [
        ("inspection", 2, None),
        ("inspection", 3, 2),
    ]


def test_the_database_refuses_a_second_open_case(personas, provider):
    services.case_open_other(
        provider=provider, knowledge_source="Presse", justification="Artikel", scenario=None, case_number="", by=None
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpCase.objects.create(ref="OPF-X", provider=provider, source="other")


def test_a_case_from_other_knowledge_records_where_it_came_from(client, personas, provider):
    client_for(client, personas["contract_manager"])
    response = client.post(
        reverse("tilsyn:case_open"),
        {
            "provider": provider.pk,
            "knowledge_source": "Henvendelse fra en sagsbehandler",
            "justification": "Borgere oplyser, at forløbet ikke holdes.",
            "scenario": "",
            "case_number": "2025-0001234",
        },
        follow=True,
    )
    case = FollowUpCase.objects.get()
    assert (case.source, case.scenario, case.status, case.case_number) == ("other", None, "open", "2025-0001234")
    event = case.events.get()
    assert (event.knowledge_source, event.justification, event.by) == (
        "Henvendelse fra en sagsbehandler",
        "Borgere oplyser, at forløbet ikke holdes.",
        personas["contract_manager"],
    )
    assert f"Opfølgningssag {case.ref} er oprettet (intet scenarie afgjort endnu)." in _text(response)


def test_opening_a_second_case_is_refused_in_danish_and_keeps_what_was_typed(client, personas, provider):
    existing = services.assessment_confirm(
        inspection=_red(provider, personas), scenario=3, justification="", by=personas["contract_manager"]
    ).case
    client_for(client, personas["contract_manager"])
    response = client.post(
        reverse("tilsyn:case_open"),
        {"provider": provider.pk, "knowledge_source": "Pressen", "justification": "Avisartikel om forholdene"},
    )
    assert response.status_code == 200
    page = _text(response)
    assert (
        f"Rød ApS har allerede en åben opfølgningssag, {existing.ref}. "
        "Føj til den sag i stedet for at oprette en ny." in page
    )
    assert "Avisartikel om forholdene" in page
    assert FollowUpCase.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_other_knowledge_needs_its_source_and_justification(client, personas, provider):
    client_for(client, personas["contract_manager"])
    response = client.post(reverse("tilsyn:case_open"), {"provider": provider.pk, "knowledge_source": " "})
    assert response.status_code == 200
    assert not FollowUpCase.objects.exists()


def test_an_own_centre_never_gets_a_contractual_measure(client, personas, centre):
    offer = provider_factories.offer(provider=centre)
    assessment = services.assessment_confirm(
        inspection=_red(centre, personas), scenario=4, justification="Grov fejl", by=personas["contract_manager"]
    )
    case = assessment.case
    kinds = set(case.measures.values_list("kind", flat=True))
    assert kinds
    assert not kinds & Measure.CONTRACTUAL
    assert not set(case.follow_ups.values_list("kind", flat=True)) & FollowUp.CONTRACTUAL
    centre.refresh_from_db()
    offer.refresh_from_db()
    assert (centre.referral_status, offer.referral_status) == ("open", "open")
    # Nor can a manager add one by hand: a Danish message, and nothing stored.
    client_for(client, personas["contract_manager"])
    before = Measure.objects.count()
    for kind in ("referral_stop", "breach_case", "referral_strategy"):
        response = client.post(
            reverse("tilsyn:case_measure_add", args=[case.ref]), {"kind": kind, "note": ""}, follow=True
        )
        assert Measure.objects.count() == before
        assert response.status_code == 200
        assert "Kommunens egne centre har ingen rammeaftale: ingen kontraktlig foranstaltning" in _text(response)
        assert kind not in _text(response).split("<main")[1]
    with pytest.raises(ValidationError) as refused:
        services.case_measure_add(case=case, kind="referral_stop", note="", by=personas["contract_manager"])
    assert refused.value.messages == [
        "Kommunens egne centre har ingen rammeaftale: ingen kontraktlig foranstaltning gælder for dem."
    ]
    # The assessment page offers no offers to restrict for a centre.
    inspection = _red(centre, personas)
    page = client.get(reverse("tilsyn:inspection_assess", args=[inspection.ref]))
    assert "offers" not in page.context["form"].fields
    with pytest.raises(ValidationError):
        services.case_decide(
            provider=centre, source="other", reference="x", scenario=3, by=None, restricted_offers=[offer]
        )


def test_measures_for_a_scenario_leave_out_contractual_ones_for_own_centres():
    from tilsyn.models import ScenarioPolicy

    policy = ScenarioPolicy.objects.get(scenario=4)
    assert "referral_stop" in policy.measures_for(internal=False)
    assert not set(policy.measures_for(internal=True)) & Measure.CONTRACTUAL
    assert "extra_external_visits" not in policy.follow_ups_for(internal=True)


def test_a_manager_adds_a_measure_and_closes_the_case_when_everything_is_done(client, personas, provider):
    manager = personas["contract_manager"]
    decision = services.case_open_other(
        provider=provider, knowledge_source="Presse", justification="Artikel", scenario=None, case_number="", by=manager
    )
    case = decision.case
    client_for(client, manager)
    client.post(reverse("tilsyn:case_measure_add", args=[case.ref]), {"kind": "dialogue_meeting", "note": "Møde"})
    measure = case.measures.get()
    refused = client.post(reverse("tilsyn:case_close", args=[case.ref]), {"note": "Afsluttet"}, follow=True)
    assert "Sagen kan afsluttes, når alt er gjort. Stadig åbent: Dialogmøde." in _text(refused)
    case.refresh_from_db()
    assert case.status == "open"
    client.post(reverse("tilsyn:measure_done", args=[measure.pk]), {"note": ""})
    no_note = client.post(reverse("tilsyn:case_close", args=[case.ref]), {"note": " "}, follow=True)
    assert "Skriv, hvordan sagen endte." in _text(no_note)
    client.post(reverse("tilsyn:case_close", args=[case.ref]), {"note": "Forholdene er i orden."})
    case.refresh_from_db()
    assert (case.status, case.closed_by, case.closing_note) == ("closed", manager, "Forholdene er i orden.")
    # A closed case frees the provider for a new one.
    again = services.case_open_other(
        provider=provider, knowledge_source="Ny viden", justification="Igen", scenario=2, case_number="", by=manager
    )
    assert again.case != case
    assert again.case.scenario == 2


def test_the_journal_number_is_edited_on_the_case(client, personas, provider):
    case = services.case_open_other(
        provider=provider, knowledge_source="x", justification="y", scenario=None, case_number="", by=None
    ).case
    client_for(client, personas["contract_manager"])
    client.post(reverse("tilsyn:case_number", args=[case.ref]), {"case_number": "2025-0099887"})
    case.refresh_from_db()
    assert case.case_number == "2025-0099887"


def test_the_case_pages_and_start_page(client, personas, provider):
    case = services.assessment_confirm(
        inspection=_red(provider, personas), scenario=4, justification="x", by=personas["contract_manager"]
    ).case
    client_for(client, personas["contract_manager"])
    listing = _text(client.get(reverse("tilsyn:case_list")))
    assert case.ref in listing
    assert "Rød ApS" in listing
    assert "Henvisning: Stoppet" in listing
    assert case.ref in _text(client.get(reverse("home")))
    assert case.ref in _text(client.get(provider.get_absolute_url()))
    assert case.ref in _text(client.get(reverse("tilsyn:action_plan_list")))
    closed = _text(client.get(reverse("tilsyn:case_list"), {"status": "closed"}))
    assert case.ref not in closed


@pytest.mark.parametrize("providers", [2, 20])
def test_the_case_list_reads_in_a_fixed_number_of_queries(client, personas, django_assert_max_num_queries, providers):
    for _n in range(providers):
        services.case_open_other(
            provider=provider_factories.provider(),
            knowledge_source="x",
            justification="y",
            scenario=2,
            case_number="",
            by=None,
        )
    client_for(client, personas["contract_manager"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("tilsyn:case_list"), {"status": "all"}).status_code == 200


def test_the_start_page_lists_due_follow_ups_of_a_case_without_an_inspection(client, personas, provider):
    """A follow-up from a case opened from other knowledge has no assessment: the start page links
    it to the case (it used to fail with a 500 looking up the assessment's inspection)."""
    manager = personas["contract_manager"]
    case = services.case_open_other(
        provider=provider, knowledge_source="Presse", justification="Artikel", scenario=3, case_number="", by=manager
    ).case
    assert case.follow_ups.exists()
    case.follow_ups.update(due_on=TODAY)
    for user in (manager, personas["administrator"]):
        client_for(client, user)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        due = _text(response).split("Opfølgning med frist")[1].split("Leverandører, der endnu")[0]
        assert f'href="{case.get_absolute_url()}"' in due
        assert "Rød ApS" in due


def test_a_new_escalation_adds_only_what_is_not_already_under_way(personas, provider):
    manager = personas["contract_manager"]
    first = services.assessment_confirm(inspection=_red(provider, personas), scenario=3, justification="", by=manager)
    kinds = sorted(first.case.measures.values_list("kind", flat=True))
    follow_ups = sorted(first.case.follow_ups.values_list("kind", flat=True))
    services.assessment_confirm(inspection=_red(provider, personas), scenario=3, justification="", by=manager)
    case = FollowUpCase.objects.get()
    assert sorted(case.measures.values_list("kind", flat=True)) == kinds
    assert sorted(case.follow_ups.values_list("kind", flat=True)) == follow_ups
    # Raised to 4: the stop is new, the rest is already under way; a second 4 adds nothing.
    services.assessment_confirm(inspection=_red(provider, personas), scenario=4, justification="x", by=manager)
    services.assessment_confirm(inspection=_red(provider, personas), scenario=4, justification="x", by=manager)
    case.refresh_from_db()
    assert case.scenario == 4
    assert case.measures.filter(kind="referral_stop").count() == 1
    assert case.measures.filter(kind="dialogue_meeting").count() == 1
    provider.refresh_from_db()
    assert provider.referral_reason.startswith("Stop for henvisning af borgere: Vurdering af tilsyn INS-")
    assert ", scenarie 4. Opfølgningssag OPF-" in provider.referral_reason


def test_the_new_case_form_names_the_providers_with_an_open_case(client, personas, provider):
    case = services.case_open_other(
        provider=provider, knowledge_source="x", justification="y", scenario=None, case_number="", by=None
    ).case
    client_for(client, personas["contract_manager"])
    page = _text(client.get(reverse("tilsyn:case_open")))
    assert f"Rød ApS ({provider.ref}) – åben sag {case.ref}" in page


def test_a_received_plan_moves_the_case_on_with_a_trace(personas, provider):
    manager = personas["contract_manager"]
    case = services.assessment_confirm(
        inspection=_red(provider, personas), scenario=3, justification="", by=manager
    ).case
    assert case.status == "awaiting_plan"
    plan = case.action_plans.get()
    upload = factories.pdf_upload("plan.pdf")
    upload.display_name = "plan.pdf"  # as the form names a checked upload
    services.action_plan_update(plan=plan, status="received", note="", upload=upload, by=manager)
    case.refresh_from_db()
    assert case.status == "follow_up"
    latest = case.history.order_by("-history_id").first()
    assert (latest.status, latest.history_user) == ("follow_up", manager)
