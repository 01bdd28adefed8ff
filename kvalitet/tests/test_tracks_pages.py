"""Complaints, the anonymous survey and spot checks through the pages."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import client_for
from kvalitet import services
from kvalitet.models import Case, CaseReview, Complaint, ImportLog, SpotCheck, SurveyLink, SurveyResponse
from leverandoer.tests import factories as provider_factories
from tilsyn.models import ActionPlan

pytestmark = pytest.mark.django_db


def complaint_post(provider, **overrides) -> dict:
    data = {
        "received_on": "2025-02-03",
        "kind": "formality",
        "provider": provider.pk,
        "subject": "Manglende partshøring",
        "citizen_ref": "B-104233",
        "decision": "",
        "decided_on": "",
        "forwarded_on": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("citizen_ref", ["010190-1234", "0101901234", "3112991234"])
def test_a_cpr_number_is_refused_as_citizen_reference(client, personas, citizen_ref):
    client_for(client, personas["caseworker"])
    provider = provider_factories.provider()
    response = client.post(reverse("kvalitet:complaint_create"), complaint_post(provider, citizen_ref=citizen_ref))
    assert response.status_code == 200
    assert response.context["form"].errors["citizen_ref"]
    assert "Manglende partshøring" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_cpr_number_in_the_subject_is_masked(client, personas):
    client_for(client, personas["caseworker"])
    provider = provider_factories.provider()
    client.post(reverse("kvalitet:complaint_create"), complaint_post(provider, subject="Borger 010190-1234 klager"))
    complaint = Complaint.objects.get()
    assert complaint.subject == "Borger XXXXXX-XXXX klager"
    assert "010190" not in str(list(Complaint.history.values_list("subject", flat=True)))


def test_a_caseworker_registers_a_complaint_with_a_generated_ref(client, personas):
    client_for(client, personas["caseworker"])
    provider = provider_factories.provider()
    response = client.post(reverse("kvalitet:complaint_create"), complaint_post(provider))
    complaint = Complaint.objects.get()
    assert complaint.ref == "KLG-2025-0001"
    assert response["Location"] == complaint.get_absolute_url()


def test_a_general_wrong_practice_demands_an_action_plan_once(client, personas):
    client_for(client, personas["caseworker"])
    provider = provider_factories.provider()
    data = complaint_post(provider, decision="upheld", decided_on="2025-03-01", general_practice="on")
    client.post(reverse("kvalitet:complaint_create"), data)
    complaint = Complaint.objects.get()
    plan = ActionPlan.objects.get()
    assert (plan.provider, plan.assessment, complaint.action_plan) == (provider, None, plan)
    assert complaint.ref in plan.reason
    client.post(reverse("kvalitet:complaint_edit", args=[complaint.ref]), data)
    assert ActionPlan.objects.count() == 1


def test_decisions_not_forwarded_are_listed(client, personas):
    client_for(client, personas["contract_manager"])
    provider = provider_factories.provider()
    common = {"received_on": date(2025, 1, 1), "kind": "formality", "provider": provider}
    Complaint.objects.create(ref="K-1", decision="upheld", decided_on=date(2025, 2, 1), **common)
    Complaint.objects.create(
        ref="K-2", decision="upheld", decided_on=date(2025, 2, 1), forwarded_on=date(2025, 2, 2), **common
    )
    response = client.get(reverse("kvalitet:complaint_list"), {"not_forwarded": "on"})
    assert [c.ref for c in response.context["page"]] == ["K-1"]
    assert response.context["not_forwarded"] == 1


def test_complaint_dates_must_make_sense(client, personas):
    client_for(client, personas["caseworker"])
    provider = provider_factories.provider()
    response = client.post(
        reverse("kvalitet:complaint_create"), complaint_post(provider, decision="upheld", decided_on="2025-01-01")
    )
    assert "decided_on" in response.context["form"].errors
    assert not Complaint.objects.exists()


# --- The survey --------------------------------------------------------------------------------


@pytest.fixture
def survey():
    cache.clear()
    return SurveyLink.objects.create(offer=provider_factories.offer())


def test_the_survey_is_answered_anonymously_without_login(client, survey):
    url = reverse("kvalitet:survey_answer", args=[survey.token])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.content.decode()
    response = client.post(url, {"score": "4", "comment": "Godt forløb. Mit cpr er 010190-1234"})
    assert response.status_code == 200
    answer = SurveyResponse.objects.get()
    assert (answer.offer, answer.score) == (survey.offer, 4)
    assert answer.comment == "Godt forløb. Mit cpr er XXXXXX-XXXX"
    assert not any(field.name in {"ip", "user", "session"} for field in SurveyResponse._meta.fields)


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_a_score_outside_1_to_5_is_refused(client, survey, score):
    response = client.post(reverse("kvalitet:survey_answer", args=[survey.token]), {"score": score})
    assert response.context["form"].errors["score"]
    assert not SurveyResponse.objects.exists()


def test_a_flood_of_answers_is_stopped(client, survey, settings):
    settings.SURVEY_ANSWERS_PER_HOUR = 5
    url = reverse("kvalitet:survey_answer", args=[survey.token])
    for _ in range(8):
        client.post(url, {"score": "1"})
    assert SurveyResponse.objects.count() == 5
    response = client.post(url, {"score": "1"})
    assert response.context["form"].non_field_errors()


def test_robots_filling_the_hidden_field_store_nothing(client, survey):
    client.post(reverse("kvalitet:survey_answer", args=[survey.token]), {"score": "5", "website": "http://spam"})
    assert not SurveyResponse.objects.exists()


def test_an_unknown_or_closed_survey_is_404(client, survey):
    assert client.get(reverse("kvalitet:survey_answer", args=["nope"])).status_code == 404
    survey.active = False
    survey.save()
    assert client.get(reverse("kvalitet:survey_answer", args=[survey.token])).status_code == 404


def test_the_contract_manager_prints_the_link_and_qr_code(cm_client):
    offer = provider_factories.offer()
    response = cm_client.get(reverse("kvalitet:survey_link", args=[offer.ref]))
    link = SurveyLink.objects.get(offer=offer)
    page = response.content.decode()
    assert f"/svar/{link.token}/" in page
    assert "<svg" in page


# --- Spot checks -------------------------------------------------------------------------------


@pytest.fixture
def anden_aktoer():
    provider = provider_factories.provider(kind="anden_aktoer")
    for number in range(1, 41):
        Case.objects.create(
            provider=provider, case_ref=f"S-{number:03d}", status="ongoing" if number % 2 else "completed"
        )
    return provider


def test_the_draw_is_reproducible_from_its_seed(cm_client, contract_manager, anden_aktoer):
    response = cm_client.post(
        reverse("kvalitet:spot_check_list"),
        {"provider": anden_aktoer.pk, "ongoing": 15, "completed": 15, "seed": 4242},
    )
    spot_check = SpotCheck.objects.get()
    assert response["Location"] == spot_check.get_absolute_url()
    drawn = {sampled.case.case_ref for sampled in spot_check.sampled.select_related("case")}
    ongoing = sorted(f"S-{n:03d}" for n in range(1, 41) if n % 2)
    completed = sorted(f"S-{n:03d}" for n in range(1, 41) if not n % 2)
    rng = random.Random(4242)
    expected = set(rng.sample(ongoing, 15)) | set(rng.sample(completed, 15))
    assert drawn == expected
    again = services.spot_check_draw(provider=anden_aktoer, by=contract_manager, seed=4242)
    assert {s.case.case_ref for s in again.sampled.select_related("case")} == drawn


def test_sending_the_draw_twice_draws_one_sample(cm_client, anden_aktoer):
    """Review finding: a double click or the back button drew a second sample."""
    page = cm_client.get(reverse("kvalitet:spot_check_list")).content.decode()
    token = re.search(r'name="submission_id" value="([0-9a-f]+)"', page).group(1)
    data = {"provider": anden_aktoer.pk, "ongoing": 5, "completed": 5, "seed": 7, "submission_id": token}
    first = cm_client.post(reverse("kvalitet:spot_check_list"), data)
    second = cm_client.post(reverse("kvalitet:spot_check_list"), data)
    assert SpotCheck.objects.count() == 1
    assert second["Location"] == first["Location"] == SpotCheck.objects.get().get_absolute_url()


def test_compliance_is_items_met_over_items_assessed(cm_client, contract_manager, anden_aktoer):
    spot_check = services.spot_check_draw(provider=anden_aktoer, by=contract_manager, ongoing=2, completed=0, seed=1)
    first, second = spot_check.sampled.all()
    cm_client.post(
        reverse("kvalitet:case_review", args=[first.pk]), {"job_plan_present": "yes", "job_plan_adequate": "no"}
    )
    cm_client.post(
        reverse("kvalitet:case_review", args=[second.pk]), {"job_plan_present": "yes", "conversations_on_time": ""}
    )
    assert CaseReview.objects.count() == 3
    compliance = cm_client.get(spot_check.get_absolute_url()).context["compliance"]
    assert (compliance.numerator, compliance.denominator, str(compliance.percent)) == (2, 3, "66.7")


def test_a_spot_check_of_an_own_centre_is_drawn(cm_client, contract_manager):
    centre = provider_factories.provider(name="BIF Jobcenter Syd", kind="internal", administration="BIF")
    for number in range(1, 7):
        Case.objects.create(provider=centre, case_ref=f"C-{number}", status="ongoing" if number <= 4 else "completed")
    page = cm_client.get(reverse("kvalitet:spot_check_list")).content.decode()
    assert "BIF Jobcenter Syd: 4 igangværende, 2 afsluttede" in page
    response = cm_client.post(
        reverse("kvalitet:spot_check_list"), {"provider": centre.pk, "ongoing": 3, "completed": 5, "seed": 11}
    )
    spot_check = SpotCheck.objects.get()
    assert response["Location"] == spot_check.get_absolute_url()
    assert (spot_check.provider, spot_check.seed, spot_check.drawn_by) == (centre, 11, contract_manager)
    drawn = sorted(spot_check.sampled.values_list("case__status", flat=True))
    assert drawn == ["completed"] * 2 + ["ongoing"] * 3


def test_a_spot_check_of_an_external_provider_is_refused(cm_client, contract_manager):
    external = provider_factories.provider(name="Jobhuset Valby ApS")
    Case.objects.create(provider=external, case_ref="C-1", status="ongoing")
    with pytest.raises(ValidationError) as refused:
        services.spot_check_draw(provider=external, by=contract_manager, seed=1)
    assert refused.value.messages == [
        "Stikprøvekontrol af sagsbehandlingen gælder kun Anden Aktør og kommunens egne centre."
    ]
    response = cm_client.post(reverse("kvalitet:spot_check_list"), {"provider": external.pk, "ongoing": 1})
    assert response.context["form"].errors["provider"] == [
        "Marker en gyldig valgmulighed. Det valg, du har foretaget, er ikke blandt de tilgængelige valgmuligheder."
    ]
    assert "Jobhuset Valby ApS" not in response.content.decode()
    assert not SpotCheck.objects.exists()


def test_a_spot_check_needs_an_anden_aktoer_provider_with_cases(cm_client):
    external = provider_factories.provider()
    data = {"provider": external.pk, "ongoing": 15, "completed": 15}
    response = cm_client.post(reverse("kvalitet:spot_check_list"), data)
    assert "provider" in response.context["form"].errors
    empty = provider_factories.provider(kind="anden_aktoer")
    response = cm_client.post(reverse("kvalitet:spot_check_list"), {**data, "provider": empty.pk})
    assert response.context["form"].non_field_errors()
    assert not SpotCheck.objects.exists()
    assert get_user_model().objects.exists()


SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
ORDER = [
    "providers",
    "offers",
    "hours",
    "progress_reports",
    "attendance",
    "outcomes",
    "surveys",
    "complaints",
    "cases",
    "inspections",
]


def test_every_sample_imports_from_the_browser(cm_client):
    for kind in ORDER:
        path = SAMPLES / f"{kind}.csv"
        upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        response = cm_client.post(reverse("kvalitet:import_data"), {"kind": kind, "file": upload})
        assert response.status_code == 200
        assert response.context["errors"] == [], (kind, response.context["errors"])
        assert response.context["result"].added > 0, kind
    xlsx = SAMPLES / "hours.xlsx"
    upload = SimpleUploadedFile(xlsx.name, xlsx.read_bytes())
    response = cm_client.post(reverse("kvalitet:import_data"), {"kind": "hours", "file": upload})
    assert response.context["result"].added > 0
    assert ImportLog.objects.count() == len(ORDER) + 1


# --- Defects found when the tracks were tried as a new user, kept fixed ----------------------


def _import(cm_client, kind: str, content: bytes, name: str = "fil.csv"):
    upload = SimpleUploadedFile(name, content)
    return cm_client.post(reverse("kvalitet:import_data"), {"kind": kind, "file": upload})


def test_a_complaint_ref_the_urls_cannot_carry_is_refused_and_the_list_keeps_working(cm_client):
    provider = provider_factories.provider(ref="LEV-0001")
    content = (
        "complaint_ref,provider_ref,kind,received_on,decision,decided_on,general_practice\n"
        f"SMPK/009,{provider.ref},formality,2025-01-02,,,no\n"
    ).encode()
    response = _import(cm_client, "complaints", content)
    assert "kolonne complaint_ref" in response.context["errors"][0]
    assert not Complaint.objects.exists()
    assert cm_client.get(reverse("kvalitet:complaint_list"), {"not_forwarded": "on"}).status_code == 200


def test_a_damaged_xlsx_gives_a_message_not_a_500(cm_client):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='a'")
    response = _import(cm_client, "hours", buffer.getvalue(), "timer.xlsx")
    assert response.status_code == 200
    assert response.context["errors"] == ["XLSX-filen kunne ikke læses: Den kan være beskadiget."]


def test_a_utf16_csv_is_told_to_be_saved_as_utf8(cm_client):
    response = _import(cm_client, "hours", "offer_ref,order_ref\n".encode("utf-16"))
    assert "UTF-16" in response.context["errors"][0]


def test_a_large_file_imports_on_sqlite_too(cm_client):
    offer = provider_factories.offer(ref="TIL-77777")
    rows = "".join(f"{offer.ref},2025-03-{(n % 28) + 1:02d},{(n % 5) + 1},R-{n}\n" for n in range(2500))
    response = _import(cm_client, "surveys", ("offer_ref,answered_on,score,response_ref\n" + rows).encode())
    assert response.context["errors"] == []
    assert SurveyResponse.objects.count() == 2500
    again = _import(cm_client, "surveys", ("offer_ref,answered_on,score,response_ref\n" + rows).encode())
    assert (again.context["result"].added, again.context["result"].updated) == (0, 0)


@pytest.mark.parametrize("citizen_ref", ["010190–1234", "101901234"])
def test_cpr_numbers_with_an_en_dash_or_without_the_leading_zero_are_refused(client, personas, citizen_ref):
    client_for(client, personas["caseworker"])
    provider = provider_factories.provider()
    response = client.post(reverse("kvalitet:complaint_create"), complaint_post(provider, citizen_ref=citizen_ref))
    assert response.context["form"].errors["citizen_ref"]


def test_a_reality_complaint_needs_an_anden_aktoer_provider(client, personas):
    client_for(client, personas["caseworker"])
    external = provider_factories.provider()
    response = client.post(reverse("kvalitet:complaint_create"), complaint_post(external, kind="reality"))
    assert response.context["form"].errors["kind"]
    assert not Complaint.objects.exists()


def test_the_seed_is_shown_so_that_it_can_be_typed_again(cm_client, contract_manager, anden_aktoer):
    spot_check = services.spot_check_draw(provider=anden_aktoer, by=contract_manager, seed=226876867)
    page = cm_client.get(spot_check.get_absolute_url()).content.decode()
    assert "random.Random(226876867).sample" in page
    statuses = [sampled.case.status for sampled in spot_check.sampled.select_related("case")]
    assert statuses == sorted(statuses, key=lambda status: status != "ongoing")


def test_the_caseworkers_start_page_counts_complaints_waiting_and_links_to_them(client, personas):
    from datetime import date

    from conftest import client_for
    from kvalitet.models import Complaint
    from leverandoer.tests import factories as provider_factories

    provider = provider_factories.provider()
    Complaint.objects.create(ref="K-1", provider=provider, kind="formality", received_on=date(2025, 1, 5))
    Complaint.objects.create(
        ref="K-2",
        provider=provider,
        kind="formality",
        received_on=date(2025, 1, 5),
        decision="upheld",
        decided_on=date(2025, 2, 1),
    )
    page = client_for(client, personas["caseworker"]).get(reverse("home")).content.decode()
    assert reverse("kvalitet:complaint_list") in page
    assert "1 klage venter på en afgørelse." in page
    assert "1 afgjort klage er endnu ikke sendt videre til leverandøren." in page
    inspector_page = client_for(client, personas["inspector_a"]).get(reverse("home")).content.decode()
    assert reverse("kvalitet:complaint_list") not in inspector_page
