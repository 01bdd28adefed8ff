"""The scoring rule's "Vis konsekvens" (issue 13, item 6), and the bad input the rules' data refuses
on the admin forms: nothing is stored by a preview or by a refused value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ALL_PERSONAS, client_for
from kvalitet.models import Complaint, ScoringRule
from leverandoer.tests import factories as provider_factories
from rapporter.models import Discard, QualityReport
from tilsyn.models import EscalationRule
from tilsyn.tests.test_security_headers import inline_code_in

pytestmark = pytest.mark.django_db


def compiled(period: str, version: int = 1) -> QualityReport:
    """A compiled version; the preview reads only its half-year and recomputes from the data."""
    return QualityReport.objects.create(period=period, version=version, sha256="0" * 64, data={"providers": []})


def upheld_complaints(provider, count: int, day: date = date(2025, 3, 1)) -> None:
    for n in range(count):
        Complaint.objects.create(
            ref=f"K-{provider.ref}-{day:%Y%m}-{n}",
            provider=provider,
            kind="formality",
            received_on=day,
            decision="upheld",
            decided_on=day,
        )


@pytest.fixture
def complaints_rule() -> ScoringRule:
    """Stored: green up to 1 upheld complaint, yellow up to 2 (no history row: set as data)."""
    ScoringRule.objects.filter(code="complaints").update(green=Decimal(1), yellow=Decimal(2))
    return ScoringRule.objects.get(code="complaints")


@pytest.fixture
def half_year(complaints_rule, administrator):
    """2025-H1 compiled; a newer 2025-H2 version discarded. One upheld complaint makes Klage ApS green
    under the stored rule; Stille ApS has two (yellow either way); Senere ApS has one in H2 only."""
    klage = provider_factories.provider(name="Klage ApS", ref="LEV-0201")
    stille = provider_factories.provider(name="Stille ApS", ref="LEV-0202")
    senere = provider_factories.provider(name="Senere ApS", ref="LEV-0203")
    upheld_complaints(klage, 1)
    upheld_complaints(stille, 2)
    upheld_complaints(senere, 1, day=date(2025, 9, 1))
    compiled("2025-H1")
    discarded = compiled("2025-H2")
    Discard.objects.create(report=discarded, discarded_by=administrator)
    return {"klage": klage, "stille": stille, "senere": senere}


def form_data(rule: ScoringRule, **changes) -> dict:
    data = {
        "label": rule.label,
        "green": str(rule.green),
        "yellow": str(rule.yellow),
        "minimum": str(rule.minimum),
        "confidence": "" if rule.confidence is None else str(rule.confidence),
        "description": rule.description,
    }
    return {**data, **changes}


def change_url(rule) -> str:
    return reverse("admin:kvalitet_scoringrule_change", args=[rule.pk])


def test_the_preview_names_the_provider_a_lower_limit_turns_yellow_and_saves_nothing(
    client, administrator, half_year, complaints_rule
):
    client.force_login(administrator)
    history, log = complaints_rule.history.count(), LogEntry.objects.count()
    response = client.post(change_url(complaints_rule), {**form_data(complaints_rule, green="0"), "_preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Konsekvens af ændringen for 1. halvår 2025 (kompileret version 1)" in html
    assert "<strong>Klager:</strong> 1 leverandør skifter farve: 1 grøn\u2192gul." in html
    assert "1 leverandør skifter foreslået scenarie: 1 fra scenarie 1 til scenarie 2." in html
    assert '<th scope="row">Klage ApS (LEV-0201)</th>' in html
    assert "Stille ApS" not in html  # yellow before and after
    assert "Senere ApS" not in html  # the discarded 2025-H2 is not the latest compiled half-year
    assert 'name="green" value="0"' in html  # the form still holds what the administrator typed
    assert '<input type="submit" value="Vis konsekvens" name="_preview"' in html
    assert inline_code_in(html) == []
    complaints_rule.refresh_from_db()
    assert (complaints_rule.green, complaints_rule.yellow) == (Decimal(1), Decimal(2))
    assert complaints_rule.history.count() == history
    assert LogEntry.objects.count() == log


def test_several_changes_are_counted_per_move(client, administrator, half_year, complaints_rule):
    other = provider_factories.provider(name="Anden ApS", ref="LEV-0204")
    upheld_complaints(other, 1)
    client.force_login(administrator)
    data = {**form_data(complaints_rule, green="0", yellow="1"), "_preview": "1"}
    html = client.post(change_url(complaints_rule), data).content.decode()
    assert "<strong>Klager:</strong> 3 leverandører skifter farve: 2 grøn\u2192gul, 1 gul\u2192rød." in html
    assert (
        "3 leverandører skifter foreslået scenarie: 2 fra scenarie 1 til scenarie 2, "
        "1 fra scenarie 2 til scenarie 3." in html
    )
    assert html.index("Anden ApS (LEV-0204)") < html.index("Klage ApS (LEV-0201)") < html.index("Stille ApS")


def test_saving_after_the_preview_stores_the_edit(client, administrator, half_year, complaints_rule):
    client.force_login(administrator)
    response = client.post(change_url(complaints_rule), {**form_data(complaints_rule, green="0"), "_save": "1"})
    assert response.status_code == 302
    complaints_rule.refresh_from_db()
    assert complaints_rule.green == Decimal(0)


def test_an_edit_that_changes_nothing_says_so(client, administrator, half_year, complaints_rule):
    client.force_login(administrator)
    data = {**form_data(complaints_rule, label="Klager (ny tekst)"), "_preview": "1"}
    html = client.post(change_url(complaints_rule), data).content.decode()
    assert "Ændringen ændrer ingen farve og intet foreslået scenarie." in html
    assert "Klage ApS" not in html


def test_without_a_compiled_half_year_the_preview_says_so(client, administrator, complaints_rule):
    discarded = compiled("2025-H1")
    Discard.objects.create(report=discarded, discarded_by=administrator)
    client.force_login(administrator)
    response = client.post(change_url(complaints_rule), {**form_data(complaints_rule, green="0"), "_preview": "1"})
    assert response.status_code == 200
    assert (
        "Der er endnu ikke kompileret et halvår, så der er intet at genberegne. Kompilér en halvårsrapport først."
        in response.content.decode()
    )
    complaints_rule.refresh_from_db()
    assert complaints_rule.green == Decimal(1)


def test_a_preview_of_invalid_limits_shows_the_errors_and_no_consequence(
    client, administrator, half_year, complaints_rule
):
    client.force_login(administrator)
    data = {**form_data(complaints_rule, green="3", yellow="2"), "_preview": "1"}
    response = client.post(change_url(complaints_rule), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Den gule grænse kan ikke ligge under den grønne." in html
    assert "Konsekvens af ændringen" not in html
    complaints_rule.refresh_from_db()
    assert (complaints_rule.green, complaints_rule.yellow) == (Decimal(1), Decimal(2))


def test_the_preview_costs_the_same_queries_for_few_and_many_providers(client, administrator, half_year):
    rule = ScoringRule.objects.get(code="complaints")
    client.force_login(administrator)
    data = {**form_data(rule, green="0"), "_preview": "1"}
    with CaptureQueriesContext(connection) as few:
        client.post(change_url(rule), data)
    for n in range(6):
        upheld_complaints(provider_factories.provider(name=f"Mange {n} ApS", ref=f"LEV-03{n:02}"), 1)
    with CaptureQueriesContext(connection) as many:
        html = client.post(change_url(rule), data).content.decode()
    assert "7 leverandører skifter farve: 7 grøn\u2192gul." in html
    assert len(many) == len(few)


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "administrator"])
def test_only_the_administrator_reaches_the_rule_page(client, personas, persona, complaints_rule):
    client = client_for(client, personas[persona])
    assert client.get(change_url(complaints_rule)).status_code == 302
    response = client.post(change_url(complaints_rule), {**form_data(complaints_rule, green="0"), "_save": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    complaints_rule.refresh_from_db()
    assert complaints_rule.green == Decimal(1)


def test_the_confidence_level_is_the_effect_rules_alone(client, administrator, complaints_rule):
    client.force_login(administrator)
    html = client.get(change_url(complaints_rule)).content.decode()
    assert 'name="confidence"' not in html
    effect = ScoringRule.objects.get(code="effect")
    assert 'name="confidence"' in client.get(change_url(effect)).content.decode()


# --- Bad input -------------------------------------------------------------------------------------

CONFIDENCE = "Konfidensniveauet skal ligge strengt mellem 0 og 100 %."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", CONFIDENCE),
        ("100", CONFIDENCE),
        ("-5", CONFIDENCE),
        ("150", CONFIDENCE),
        ("", CONFIDENCE),
        ("abc", "Indtast et tal."),
    ],
)
@pytest.mark.parametrize("button", ["_save", "_preview"])
def test_a_confidence_level_outside_0_to_100_is_refused(client, administrator, value, message, button):
    effect = ScoringRule.objects.get(code="effect")
    stored, history = effect.confidence, effect.history.count()
    client.force_login(administrator)
    response = client.post(change_url(effect), {**form_data(effect, confidence=value), button: "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    effect.refresh_from_db()
    assert effect.confidence == stored
    assert effect.history.count() == history


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Gentagelsesvinduet skal være mindst 1 måned."),
        ("-3", "Gentagelsesvinduet skal være mindst 1 måned."),
        ("abc", "Indtast et heltal."),
        ("", "Dette felt er påkrævet."),
    ],
)
def test_a_repeat_window_below_one_month_or_not_a_number_is_refused(client, administrator, value, message):
    rule = EscalationRule.current()
    if rule.pk is None:
        rule.save()
    client.force_login(administrator)
    url = reverse("admin:tilsyn_escalationrule_change", args=[rule.pk])
    response = client.post(url, {"repeat_window_months": value, "_save": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Gentagelsesvindue (kalendermåneder):" in html
    rule.refresh_from_db()
    assert rule.repeat_window_months == 12


def test_an_edited_confidence_level_previews_without_saving(client, administrator, half_year):
    effect = ScoringRule.objects.get(code="effect")
    client.force_login(administrator)
    response = client.post(change_url(effect), {**form_data(effect, confidence="95"), "_preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ændringen ændrer ingen farve og intet foreslået scenarie." in html  # no effect data in 2025-H1
    assert 'name="confidence" value="95"' in html
    effect.refresh_from_db()
    assert effect.confidence == Decimal(90)


@pytest.mark.parametrize("object_id", ["999999", "abc"])
def test_a_preview_of_an_unknown_rule_goes_back_to_the_list(client, administrator, object_id):
    client.force_login(administrator)
    url = reverse("admin:kvalitet_scoringrule_change", args=[object_id])
    response = client.post(url, {"label": "x", "green": "1", "yellow": "2", "minimum": "0", "_preview": "1"})
    assert response.status_code == 302
    assert not ScoringRule.objects.filter(label="x").exists()


def test_a_repeat_window_of_six_months_is_stored(client, administrator):
    rule = EscalationRule.current()
    if rule.pk is None:
        rule.save()
    client.force_login(administrator)
    url = reverse("admin:tilsyn_escalationrule_change", args=[rule.pk])
    assert client.post(url, {"repeat_window_months": "6", "_save": "1"}).status_code == 302
    rule.refresh_from_db()
    assert rule.repeat_window_months == 6
