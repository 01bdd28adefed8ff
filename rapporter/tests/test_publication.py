"""Review, four-eyes approval and publication; the secretariat reads published versions only."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import client_for, make_user
from kvalitet.models import Complaint
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.tests import factories as provider_factories
from rapporter import services
from rapporter.models import Publication, QualityReport, ScenarioOverride

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(personas):
    provider = provider_factories.provider(ref="LEV-0100", name="Rød ApS")
    for n in range(3):
        Complaint.objects.create(
            ref=f"K-{n}",
            provider=provider,
            kind="formality",
            received_on=date(2025, 1, 5),
            decision="upheld",
            decided_on=date(2025, 2, 1),
        )
    return services.compile_now(period=HalfYear(2025, 1), by=personas["contract_manager"])


@pytest.fixture
def second_manager():
    return make_user("mads", Role.CONTRACT_MANAGER)


def test_the_whole_review_and_publication(client, personas, report, second_manager):
    manager = personas["contract_manager"]
    client_for(client, manager)
    review = reverse("rapporter:report_review", args=[report.period, report.version])
    refused = client.post(review, {"provider_ref": "LEV-0100", "scenario": "4", "justification": " "}, follow=True)
    assert "Forklar, hvorfor du vælger et andet scenarie end det foreslåede." in refused.content.decode()
    assert not ScenarioOverride.objects.exists()
    client.post(
        review, {"provider_ref": "LEV-0100", "scenario": "4", "justification": "Gentagne klager <b>og</b> https://x"}
    )
    override = ScenarioOverride.objects.get()
    assert (override.scenario, override.changed_by) == (4, manager)
    report.refresh_from_db()
    assert report.data["providers"][0]["proposed_scenario"] == 3  # the snapshot never changes

    # Approving one's own compile is refused; a second manager approves and publishes.
    own = client.post(reverse("rapporter:report_approve", args=[report.period, report.version]), follow=True)
    assert (
        "Another contract manager must approve" in own.content.decode()
        or "En anden kontraktansvarlig" in own.content.decode()
    )
    assert not Publication.objects.exists()
    client_for(client, second_manager)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Four eyes" in page or "Fire øjne" in page
    client.post(reverse("rapporter:report_approve", args=[report.period, report.version]))
    # Publishing needs the confirmation ticked: the committee gets what is published.
    unconfirmed = client.post(reverse("rapporter:report_publish", args=[report.period, report.version]), follow=True)
    assert "Sæt kryds for at bekræfte" in unconfirmed.content.decode()
    assert Publication.objects.get().published_at is None
    client.post(reverse("rapporter:report_publish", args=[report.period, report.version]), {"confirm": "1"})
    publication = Publication.objects.get()
    assert (publication.approved_by, publication.published_by) == (second_manager, second_manager)

    # Published: overrides lock.
    locked = client.post(
        review, {"provider_ref": "LEV-0100", "scenario": "2", "justification": "Ny vurdering"}, follow=True
    )
    assert ScenarioOverride.objects.get().scenario == 4
    assert locked.status_code == 200

    # The secretariat sees the published version, with the override and its justification as text.
    client_for(client, personas["secretariat"])
    listing = client.get(reverse("rapporter:report_list"))
    assert [r.pk for r in listing.context["reports"]] == [report.pk]
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Gentagne klager &lt;b&gt;og&lt;/b&gt; https://x" in page


def test_publishing_an_unapproved_version_is_refused(client, personas, report, second_manager):
    client_for(client, second_manager)
    response = client.post(
        reverse("rapporter:report_publish", args=[report.period, report.version]), {"confirm": "1"}, follow=True
    )
    assert not Publication.objects.exists()
    assert response.status_code == 200


def test_the_last_override_author_cannot_approve(client, personas, report, second_manager):
    services.scenario_decide(report=report, provider_ref="LEV-0100", scenario=4, justification="x", by=second_manager)
    client_for(client, second_manager)
    client.post(reverse("rapporter:report_approve", args=[report.period, report.version]))
    assert not Publication.objects.exists()


def test_a_changed_decision_withdraws_an_approval(personas, report, second_manager):
    services.report_approve(report=report, by=second_manager)
    services.scenario_decide(
        report=report, provider_ref="LEV-0100", scenario=4, justification="x", by=personas["contract_manager"]
    )
    assert not Publication.objects.exists()


def test_the_secretariat_gets_404_for_a_draft(client, personas, report):
    client_for(client, personas["secretariat"])
    assert client.get(report.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("rapporter:report_list")).context["reports"]) == []


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # a tagged PDF
    return "".join(page.extract_text() for page in reader.pages)


def test_the_secretariat_downloads_the_published_pdf_with_the_providers_standing_out(
    client, personas, report, second_manager
):
    services.scenario_decide(
        report=report,
        provider_ref="LEV-0100",
        scenario=4,
        justification="Gentagne klager",
        by=personas["contract_manager"],
    )
    services.report_approve(report=report, by=second_manager)
    client_for(client, personas["secretariat"])
    url = reverse("rapporter:report_pdf", args=[report.period, report.version])
    assert client.get(url).status_code == 404  # approved, not yet published
    services.report_publish(report=report, by=second_manager)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kvalitetsrapport-2025-H1-v1.pdf"'
    text = _pdf_text(b"".join(response.streaming_content))
    assert "Rød ApS (LEV-0100)" in text
    assert "Gentagne klager" in text
    assert "Stop for henvisning af borgere" in text  # a scenario 4 measure of Table 1
    assert report.sha256[:16] in text


def test_the_command_writes_the_same_pdf(tmp_path, report):
    from django.core.management import call_command

    path = tmp_path / "rapport.pdf"
    call_command("compile_quality_report", "2025-H1", "--pdf", str(path), stdout=__import__("io").StringIO())
    assert "Rød ApS (LEV-0100)" in _pdf_text(path.read_bytes())


def test_the_tables_export_as_xlsx_and_csv(cm_client, report):
    import io

    from openpyxl import load_workbook

    response = cm_client.get(reverse("rapporter:report_export_xlsx", args=[report.period, report.version]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:3] == ["Scenarier", "Farver pr. spor", "Trafiklys"]
    assert len(workbook.sheetnames) == 10  # no annual tables in an H1 version; the last says what the version is
    matrix = list(workbook.worksheets[2].values)
    assert matrix[1][:3] == ("LEV-0100", "Rød ApS", "Rød")
    csv_response = cm_client.get(reverse("rapporter:report_export_csv", args=[report.period, report.version, "matrix"]))
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("LEV-0100;Rød ApS;Rød;")
    assert (
        cm_client.get(reverse("rapporter:report_export_csv", args=[report.period, report.version, "nope"])).status_code
        == 404
    )


def test_a_justification_that_looks_like_a_formula_stays_text_in_the_exports(cm_client, report, second_manager):
    """Review finding: `=HYPERLINK(...)` was written to the XLSX as a live formula."""
    import io

    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://evil.example/","Klik")'
    services.scenario_decide(
        report=report, provider_ref="LEV-0100", scenario=4, justification=formula, by=second_manager
    )
    response = cm_client.get(reverse("rapporter:report_export_xlsx", args=[report.period, report.version]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[2]
    cell = sheet.cell(row=2, column=sheet.max_column)
    assert (cell.value, cell.data_type) == (formula, "s")
    csv_response = cm_client.get(reverse("rapporter:report_export_csv", args=[report.period, report.version, "matrix"]))
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    import csv

    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1][-1] == "'" + formula


def test_the_secretariats_start_page_lists_the_published_reports_newest_first(client, personas, report, second_manager):
    services.report_approve(report=report, by=second_manager)
    services.report_publish(report=report, by=second_manager)
    draft = services.compile_now(period=HalfYear(2025, 1), by=personas["contract_manager"])
    page = client_for(client, personas["secretariat"]).get(reverse("home")).content.decode()
    assert reverse("rapporter:report_pdf", args=[report.period, report.version]) in page
    assert draft.get_absolute_url() not in page
    manager_page = client_for(client, personas["contract_manager"]).get(reverse("home")).content.decode()
    assert draft.get_absolute_url() in manager_page
    assert report.get_absolute_url() not in manager_page  # published: no longer waiting
    assert "Reports waiting" not in client_for(client, personas["caseworker"]).get(reverse("home")).content.decode()


def test_a_published_pdf_is_rendered_once_and_then_served_as_the_same_bytes(client, personas, report, second_manager):
    import hashlib

    from rapporter.tasks import store_published_pdf

    services.report_approve(report=report, by=second_manager)
    publication = services.report_publish(report=report, by=second_manager)
    assert not publication.pdf
    digest = store_published_pdf.delay(publication.pk).get()  # what the worker does after publication
    publication.refresh_from_db()
    stored = publication.pdf.read()
    assert digest == publication.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert "Rød ApS (LEV-0100)" in _pdf_text(stored)
    assert store_published_pdf.delay(publication.pk).get() == digest  # a second delivery changes nothing
    secretariat = client_for(client, personas["secretariat"])
    url = reverse("rapporter:report_pdf", args=[report.period, report.version])
    first = b"".join(secretariat.get(url).streaming_content)
    second = b"".join(secretariat.get(url).streaming_content)
    assert first == second == stored


def test_without_a_worker_the_first_download_stores_the_published_pdf(client, personas, report, second_manager):
    services.report_approve(report=report, by=second_manager)
    services.report_publish(report=report, by=second_manager)
    secretariat = client_for(client, personas["secretariat"])
    url = reverse("rapporter:report_pdf", args=[report.period, report.version])
    first = b"".join(secretariat.get(url).streaming_content)
    report.publication.refresh_from_db()
    assert report.publication.pdf.read() == first
    assert b"".join(secretariat.get(url).streaming_content) == first


def test_publishing_queues_the_pdf_for_the_worker(personas, report, second_manager, django_capture_on_commit_callbacks):
    services.report_approve(report=report, by=second_manager)
    with django_capture_on_commit_callbacks(execute=True):
        publication = services.report_publish(report=report, by=second_manager)
    publication.refresh_from_db()
    assert publication.pdf_sha256
    assert publication.pdf.name.startswith("rapporter/kvalitetsrapport-2025-H1-v1")


def test_taking_an_override_back_withdraws_the_approval_and_bars_its_author(personas, report, second_manager):
    """Review finding: reverting to the proposal deleted the override but kept the approval."""
    manager = personas["contract_manager"]
    third = make_user("tredje", Role.CONTRACT_MANAGER)
    services.scenario_decide(report=report, provider_ref="LEV-0100", scenario=2, justification="Dialog", by=third)
    services.report_approve(report=report, by=second_manager)
    # The second manager takes the override back: the approval goes, and they may not approve now.
    services.scenario_decide(report=report, provider_ref="LEV-0100", scenario=3, justification="", by=second_manager)
    assert not Publication.objects.filter(report=report).exists()
    with pytest.raises(ValidationError):
        services.report_publish(report=report, by=manager)
    with pytest.raises(ValidationError):
        services.report_approve(report=report, by=second_manager)
    assert services.report_approve(report=report, by=third).approved_by == third


def test_a_refused_override_is_shown_again_on_its_row_with_what_was_chosen_and_typed(client, personas, report):
    """QA finding: the dropdown jumped back to the proposal and nothing marked the row."""
    review = reverse("rapporter:report_review", args=[report.period, report.version])
    client_for(client, personas["contract_manager"])
    response = client.post(review, {"provider_ref": "LEV-0100", "scenario": "4", "justification": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index('id="row-LEV-0100"') :]
    row = row[: row.index("</tr>")]
    assert 'class="table-danger"' in page
    assert '<option value="4" selected>' in row
    assert 'aria-invalid="true"' in row
    assert "Forklar, hvorfor" in row or "Explain why" in row
    assert not ScenarioOverride.objects.exists()


def test_the_command_compiles_for_a_named_manager_who_then_may_not_approve(personas):
    import io

    from django.core.management import CommandError, call_command

    call_command("compile_quality_report", "2025-H1", "--by", "contract-manager", stdout=io.StringIO())
    report = QualityReport.objects.order_by("-version").first()
    assert report.compiled_by == personas["contract_manager"]
    with pytest.raises(ValidationError):
        services.report_approve(report=report, by=personas["contract_manager"])
    with pytest.raises(CommandError, match="ikke en aktiv kontraktansvarlig"):
        call_command("compile_quality_report", "2025-H1", "--by", "caseworker", stdout=io.StringIO())


@pytest.mark.parametrize("spelling", ["0101 90 12 34", "01.01.90-1234", "010190 – 1234", "0 1 0 1 9 0 1 2 3 4"])
def test_a_cpr_number_in_any_spelling_in_an_override_is_masked_in_the_pdf_and_the_exports(
    cm_client, personas, report, spelling
):
    """Issue 14: the justification is stored masked, so neither the committee PDF nor a CSV prints it."""
    from rapporter.pdf import render_pdf

    services.scenario_decide(
        report=report,
        provider_ref="LEV-0100",
        scenario=2,
        justification=f"Borgeren {spelling} klagede, men sagen er rettet.",
        by=personas["contract_manager"],
    )
    report.refresh_from_db()
    digits = "0101901234"
    pdf = _pdf_text(render_pdf(report)).replace(" ", "")
    assert "Borgeren" in pdf
    assert digits not in "".join(ch for ch in pdf if ch.isdigit() or ch == "X")
    csv_response = cm_client.get(reverse("rapporter:report_export_csv", args=[report.period, report.version, "matrix"]))
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "Borgeren" in text
    assert spelling not in text
    assert digits not in "".join(ch for ch in text if ch.isdigit())
