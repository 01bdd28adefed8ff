"""Imports of every kind: the sample files in docs/samples, updates kept in the history, bad input
that stores nothing, the browser page, anonymous survey rows and imported inspections.

Error messages are asserted by their structure (row number and column name), in Danish or English,
because the Danish catalogue is written after the code.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kvalitet.models import (
    Attendance,
    Case,
    Complaint,
    HoursRecord,
    ImportLog,
    Outcome,
    ProgressReport,
    SurveyResponse,
)
from leverandoer.models import Offer, Provider
from tilsyn import selectors
from tilsyn.models import Assessment, Finding, Inspection
from tilsyn.tests import factories as supervision_factories

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"

# The documented import order, with how many rows each sample file adds to an empty database.
SAMPLE_ORDER = [
    ("providers", 5),
    ("offers", 6),
    ("hours", 5),
    ("progress_reports", 5),
    ("attendance", 4),
    ("outcomes", 4),
    ("surveys", 6),
    ("complaints", 3),
    ("cases", 6),
    ("inspections", 5),
]

STORED = [
    Provider,
    Offer,
    HoursRecord,
    ProgressReport,
    Attendance,
    Outcome,
    SurveyResponse,
    Complaint,
    Case,
    Inspection,
    Finding,
    ImportLog,
]


# --- Helpers -----------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED}


def run(kind: str, path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_data", kind, str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def last_log() -> ImportLog:
    return ImportLog.objects.order_by("-pk").first()


def fails(kind: str, path: Path) -> str:
    """Import a bad file: CommandError, nothing stored; the failure logged with its errors."""
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", kind, str(path), stdout=io.StringIO(), stderr=err)
    after = counts()
    assert after.pop("ImportLog") == before.pop("ImportLog") + 1
    assert after == before
    assert last_log().errors > 0
    assert (last_log().added, last_log().updated) == (0, 0)
    return err.getvalue()


def names_cell(errors: str, row: int, column: str) -> bool:
    """`Række 3, kolonne score` in Danish, `Row 3, column score` in English."""
    return re.search(rf"(Række|Row) {row}, (kolonne|column) {re.escape(column)}\b", errors) is not None


def names_row(errors: str, row: int) -> bool:
    return re.search(rf"(Række|Row) {row}\b", errors) is not None


def csv_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(tmp_path: Path, name: str, rows: list[tuple]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def import_samples(*kinds: str) -> None:
    for kind in kinds:
        run(kind, SAMPLES / f"{kind}.csv")


@pytest.fixture
def providers_and_offers():
    import_samples("providers", "offers")


# --- (a) The sample files ----------------------------------------------------------------------


def test_the_samples_are_in_the_formats_the_documentation_promises():
    assert (SAMPLES / "providers.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    offers = (SAMPLES / "offers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        offers.decode("utf-8")
    assert "Jobsøgningsforløb" in offers.decode("cp1252")
    hours = (SAMPLES / "hours.csv").read_text()
    assert hours.splitlines()[0].count(";") == 5
    assert "01-04-2025" in hours
    assert "118,5" in hours
    assert (SAMPLES / "hours.xlsx").read_bytes().startswith(b"PK\x03\x04")


def test_every_sample_imports_in_order_into_an_empty_database_and_again_changes_nothing():
    assert Provider.objects.count() == 0
    for kind, added in SAMPLE_ORDER:
        output = run(kind, SAMPLES / f"{kind}.csv")
        log = last_log()
        assert (log.kind, log.rows, log.added, log.updated) == (kind, added, added, 0), output
        assert log.filename == f"{kind}.csv"
    run("hours", SAMPLES / "hours.xlsx")
    assert (last_log().kind, last_log().added, last_log().updated) == ("hours", 3, 0)

    before = counts()
    for kind, added in SAMPLE_ORDER:
        output = run(kind, SAMPLES / f"{kind}.csv")
        log = last_log()
        assert (log.rows, log.added, log.updated) == (added, 0, 0), output
        assert f"{kind}: {added} rækker, 0 tilføjet, 0 opdateret." in output
    run("hours", SAMPLES / "hours.xlsx")
    assert (last_log().added, last_log().updated) == (0, 0)
    after = counts()
    assert after.pop("ImportLog") == before.pop("ImportLog") + len(SAMPLE_ORDER) + 1
    assert after == before


def test_the_samples_are_read_as_written():
    for kind, _added in SAMPLE_ORDER:
        run(kind, SAMPLES / f"{kind}.csv")
    run("hours", SAMPLES / "hours.xlsx")

    # UTF-8 with BOM: the first column is still provider_ref, and the Danish letters survive.
    assert Provider.objects.get(ref="SMP-0003").name == "Ungeindsatsen Nørrebro"
    assert Provider.objects.get(ref="SMP-0003").administration == "BIF"
    assert Provider.objects.get(ref="SMP-0004").kind == Provider.Kind.ANDEN_AKTOER

    # Windows-1252, offer type and target group by their Danish names or by code, defaults.
    first = Offer.objects.get(ref="SMPT-001")
    assert first.name == "Jobsøgning for jobparate – Valby"
    assert (first.offer_type.code, first.target_group.code) == ("jobsoegning", "jobparate")
    assert first.provider.ref == "SMP-0001"
    third = Offer.objects.get(ref="SMPT-003")
    assert (third.result_basis, third.result_months) == ("end", 6)
    assert third.delivery_address == "Ørestads Boulevard 5, 2300 København S"

    # Semicolons, decimal comma, thousands point, DD-MM-YYYY; and the XLSX with real dates and numbers.
    hours = HoursRecord.objects.get(order_ref="ORD-2025-103")
    assert (hours.ordered_hours, hours.delivered_hours) == (Decimal("1040"), Decimal("1012.5"))
    assert (hours.period_start, hours.period_end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert HoursRecord.objects.get(order_ref="ORD-2025-102").delivered_hours == Decimal("251.25")
    from_xlsx = HoursRecord.objects.get(order_ref="ORD-2025-203")
    assert (from_xlsx.period_end, from_xlsx.delivered_hours) == (date(2025, 12, 31), Decimal("998.75"))

    report = ProgressReport.objects.get(citizen_ref="BGR-10003")
    assert (report.submitted_date, report.content_approved) == (None, None)
    assert ProgressReport.objects.get(citizen_ref="BGR-10002").content_approved is False

    assert Attendance.objects.get(citizen_ref="BGR-10002").registered_correctly is False  # "nej"
    assert Attendance.objects.get(citizen_ref="BGR-10006").month == date(2025, 3, 1)

    # months_after empty: the offer's result model; the basis is the offer's (end or start).
    by_end = Outcome.objects.get(citizen_ref="BGR-10001")
    assert (by_end.months_after, by_end.follow_up_on) == (6, date(2025, 6, 20))
    by_start = Outcome.objects.get(citizen_ref="BGR-10004")
    assert (by_start.months_after, by_start.follow_up_on) == (3, date(2025, 1, 1))
    given = Outcome.objects.get(citizen_ref="BGR-10005")
    assert (given.months_after, given.follow_up_on) == (12, date(2025, 12, 13))

    surveys = SurveyResponse.objects.filter(offer__ref="SMPT-002")
    assert sorted(surveys.values_list("score", flat=True)) == [2, 4, 4]
    assert surveys.get(score=2).comment == "Mentoren aflyste to gange; svært at få kontakt."
    assert all(response.imported for response in SurveyResponse.objects.all())

    flagged = Complaint.objects.get(ref="SMPK-002")
    assert flagged.general_practice
    assert flagged.action_plan is not None
    assert flagged.action_plan.provider.ref == "SMP-0001"
    assert Complaint.objects.get(ref="SMPK-003").decided_on is None

    assert Case.objects.filter(provider__ref="SMP-0004", status="ongoing").count() == 3

    inspection = Inspection.objects.get(ref="SMPI-2025-01")
    assert (inspection.method, inspection.kind, inspection.announced) == ("visit", "annual_base", False)
    assert inspection.performed_on == date(2025, 2, 12)
    assert inspection.findings.count() == 3
    assert Finding.objects.get(inspection__ref="SMPI-2025-03").gross_violation


# --- (b) Updates -------------------------------------------------------------------------------


def test_a_known_key_with_new_values_updates_the_row_and_keeps_the_history(tmp_path, personas):
    import_samples("providers", "offers")
    offer = Offer.objects.get(ref="SMPT-001")
    versions = offer.history.count()
    path = csv_file(
        tmp_path,
        "offers-rettet.csv",
        "offer_ref,provider_ref,name,offer_type,target_group,result_basis,result_months\n"
        "SMPT-001,SMP-0002,Jobsøgning Valby (ny leverandør),jobsoegning,jobparate,start,3\n"
        "SMPT-002,SMP-0001,Virksomhedspraktik med mentor,virksomhedsrettet,aktivitetsparate,start,3\n",
    )

    output = run("offers", path, "--user", "contract-manager")

    assert "offers: 2 rækker, 0 tilføjet, 1 opdateret." in output
    offer.refresh_from_db()
    assert offer.name == "Jobsøgning Valby (ny leverandør)"
    assert (offer.provider.ref, offer.result_basis, offer.result_months) == ("SMP-0002", "start", 3)
    # The file has no delivery_address column: the address is kept, not blanked.
    assert offer.delivery_address == "Valby Langgade 12, 2500 Valby"
    assert offer.history.count() == versions + 1
    newest, previous = offer.history.all()[:2]
    assert (previous.name, newest.name) == ("Jobsøgning for jobparate – Valby", "Jobsøgning Valby (ny leverandør)")
    assert newest.history_type == "~"
    assert newest.history_user == personas["contract_manager"]
    log = last_log()
    assert (log.added, log.updated, log.imported_by) == (0, 1, personas["contract_manager"])

    assert "0 tilføjet, 0 opdateret" in run("offers", path)


def test_an_update_of_hours_and_of_a_complaint_is_kept_in_their_history(tmp_path):
    import_samples("providers", "offers", "hours", "complaints")
    hours = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref;order_ref;period_start;period_end;ordered_hours;delivered_hours\n"
        "SMPT-001;ORD-2025-101;01-01-2025;31-03-2025;120,0;119,5\n",
    )
    run("hours", hours)
    record = HoursRecord.objects.get(order_ref="ORD-2025-101", period_start=date(2025, 1, 1))
    assert record.delivered_hours == Decimal("119.5")
    assert [row.delivered_hours for row in record.history.all()] == [Decimal("119.5"), Decimal("118.5")]

    # The complaint gets its decision; the file has no forwarded_on column, so none is lost.
    complaint = csv_file(
        tmp_path,
        "klager.csv",
        "complaint_ref,provider_ref,kind,received_on,decision,decided_on,general_practice\n"
        "SMPK-001,SMP-0004,reality,2025-02-03,upheld,2025-03-01,no\n"
        "SMPK-003,SMP-0003,formality,2025-04-01,not_upheld,2025-04-20,no\n",
    )
    run("complaints", complaint)
    assert (last_log().added, last_log().updated) == (0, 2)
    first = Complaint.objects.get(ref="SMPK-001")
    assert (first.decision, first.forwarded_on) == ("upheld", date(2025, 3, 3))
    assert first.subject == "Afslag på befordringsgodtgørelse"
    assert Complaint.objects.get(ref="SMPK-003").decision == "not_upheld"
    assert first.history.count() == 2


# --- (c) Bad input -----------------------------------------------------------------------------


def test_wrong_or_missing_columns_are_named_in_row_1(tmp_path, providers_and_offers):
    path = csv_file(tmp_path, "svar.csv", "offer_ref;answered_on;scroe\nSMPT-001;10-03-2025;4\n")
    errors = fails("surveys", path)
    assert names_row(errors, 1)
    assert "score" in errors

    path = csv_file(tmp_path, "timer.csv", "offer_ref,order_ref,period_start\nSMPT-001,ORD-1,2025-01-01\n")
    errors = fails("hours", path)
    assert names_row(errors, 1)
    for column in ("period_end", "ordered_hours", "delivered_hours"):
        assert column in errors

    path = csv_file(tmp_path, "svar.csv", "offer_ref;answered_on;score;Score\nSMPT-001;10-03-2025;4;5\n")
    errors = fails("surveys", path)
    assert names_row(errors, 1)
    assert "score" in errors


def test_unknown_refs_are_refused(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref,order_ref,period_start,period_end,ordered_hours,delivered_hours\n"
        "SMPT-001,ORD-9,2025-01-01,2025-01-31,10,10\n"
        "SMPT-999,ORD-9,2025-02-01,2025-02-28,10,10\n",
    )
    errors = fails("hours", path)
    assert names_cell(errors, 3, "offer_ref")
    assert "SMPT-999" in errors
    assert not names_row(errors, 2)

    path = csv_file(
        tmp_path,
        "tilbud.csv",
        "offer_ref,provider_ref,name,offer_type,target_group\n"
        "SMPT-101,SMP-9999,Nyt tilbud,mentor,unge\n"
        "SMPT-102,SMP-0001,Nyt tilbud,ukendt-type,unge\n"
        "SMPT-103,SMP-0001,Nyt tilbud,mentor,ukendt-gruppe\n",
    )
    errors = fails("offers", path)
    assert names_cell(errors, 2, "provider_ref")
    assert names_cell(errors, 3, "offer_type")
    assert names_cell(errors, 4, "target_group")


def test_a_date_that_does_not_exist_is_refused(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "rapporter.csv",
        "offer_ref,citizen_ref,due_date,submitted_date,content_approved\n"
        "SMPT-001,BGR-1,2025-02-30,,\n"
        "SMPT-001,BGR-2,2025-03-01,30-02-2025,yes\n",
    )
    errors = fails("progress_reports", path)
    assert names_cell(errors, 2, "due_date")
    assert names_cell(errors, 3, "submitted_date")
    assert "2025-02-30" in errors


def test_scores_outside_1_to_5_are_refused_and_every_bad_row_is_listed(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "svar.csv",
        "offer_ref;answered_on;score\nSMPT-001;10-03-2025;6\nSMPT-001;10-03-2025;4\nSMPT-001;10-03-2025;0\n",
    )
    errors = fails("surveys", path)
    assert names_cell(errors, 2, "score")
    assert names_cell(errors, 4, "score")
    assert not names_row(errors, 3)


def test_negative_hours_are_refused(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref;order_ref;period_start;period_end;ordered_hours;delivered_hours\n"
        "SMPT-001;ORD-1;01-01-2025;31-01-2025;10,0;-2,5\n",
    )
    errors = fails("hours", path)
    assert names_cell(errors, 2, "delivered_hours")


def test_a_cpr_number_as_citizen_or_case_ref_is_refused(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "fremmoede.csv",
        "offer_ref;citizen_ref;month;registered_correctly\n"
        "SMPT-001;010190-1234;2025-01;yes\n"
        "SMPT-001;0101901234;2025-01;yes\n"
        "SMPT-001;BGR-10001;2025-01;yes\n",
    )
    errors = fails("attendance", path)
    assert names_cell(errors, 2, "citizen_ref")
    assert names_cell(errors, 3, "citizen_ref")
    assert not names_row(errors, 4)

    path = csv_file(tmp_path, "sager.csv", "provider_ref,case_ref,status\nSMP-0004,311299-4321,ongoing\n")
    assert names_cell(fails("cases", path), 2, "case_ref")


def test_cases_of_an_external_provider_are_refused(tmp_path, providers_and_offers):
    path = csv_file(tmp_path, "sager.csv", "provider_ref,case_ref,status\nSMP-0001,SAG-1,ongoing\n")
    errors = fails("cases", path)
    assert "Række 2, kolonne provider_ref: sager importeres kun for Anden Aktør og kommunens egne centre" in errors
    assert not Case.objects.exists()


def test_cases_of_the_municipalitys_own_centres_are_imported(tmp_path, providers_and_offers):
    """Seed 003: BIF's own offers are supervised by spot checks in the administration's systems; a
    BIF centre's (SMP-0003) and a SUF centre's (SMP-0005) cases are imported as Anden Aktør's are."""
    path = csv_file(
        tmp_path,
        "sager.csv",
        "provider_ref,case_ref,status\nSMP-0003,SAG-BIF-1,ongoing\nSMP-0005,SAG-SUF-1,completed\n"
        "SMP-0004,SAG-AA-1,ongoing\n",
    )
    run("cases", path)
    stored = set(Case.objects.values_list("provider__ref", "provider__kind", "case_ref", "status"))
    assert stored == {
        ("SMP-0003", "internal", "SAG-BIF-1", "ongoing"),
        ("SMP-0005", "internal", "SAG-SUF-1", "completed"),
        ("SMP-0004", "anden_aktoer", "SAG-AA-1", "ongoing"),
    }
    assert (last_log().added, last_log().errors) == (3, 0)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"),
        ("rapport.pdf", supervision_factories.pdf_bytes()),
        ("gammel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(tmp_path, providers_and_offers, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    errors = fails("hours", path)
    assert _("The file is neither CSV nor XLSX.") in errors


def test_a_damaged_xlsx_file_is_refused(tmp_path, providers_and_offers):
    path = tmp_path / "timer.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a workbook" * 10)
    assert _("The XLSX file could not be read: it may be damaged.") in fails("hours", path)


INSPECTION_HEADER = (
    "inspection_ref;provider_ref;method;kind;unannounced;performed_on;control_area;rating;gross_violation;remark\n"
)


def test_rows_of_one_inspection_must_agree_on_provider_method_kind_and_date(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "tilsyn.csv",
        INSPECTION_HEADER + "SMPI-9;SMP-0001;visit;base;yes;12-02-2025;premises;green;no;\n"
        "SMPI-9;SMP-0001;visit;base;yes;13-02-2025;attendance;yellow;no;\n"
        "SMPI-9;SMP-0002;visit;base;yes;12-02-2025;legislation;yellow;no;\n"
        "SMPI-9;SMP-0001;data;base;yes;12-02-2025;hours_documented;yellow;no;\n",
    )
    errors = fails("inspections", path)
    for row in (3, 4, 5):
        assert names_cell(errors, row, "inspection_ref")
    assert not names_row(errors, 2)


def test_a_gross_violation_only_on_a_red_finding(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "tilsyn.csv",
        INSPECTION_HEADER + "SMPI-9;SMP-0001;visit;base;yes;12-02-2025;premises;yellow;yes;Utæt tag\n",
    )
    assert names_cell(fails("inspections", path), 2, "gross_violation")


def test_duplicate_keys_in_one_file_are_refused(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref;order_ref;period_start;period_end;ordered_hours;delivered_hours\n"
        "SMPT-001;ORD-1;01-01-2025;31-01-2025;10;10\n"
        "SMPT-001;ORD-1;2025-01-01;2025-01-31;12;12\n",
    )
    errors = fails("hours", path)
    assert names_row(errors, 3)
    assert re.search(r"(række|row) 2\b", errors, re.IGNORECASE)

    path = csv_file(
        tmp_path,
        "tilsyn.csv",
        INSPECTION_HEADER + "SMPI-9;SMP-0001;visit;base;yes;12-02-2025;premises;green;no;\n"
        "SMPI-9;SMP-0001;visit;base;yes;12-02-2025;premises;red;no;\n",
    )
    assert names_row(fails("inspections", path), 3)


def test_a_ref_the_browser_could_not_use_is_refused(tmp_path):
    path = csv_file(
        tmp_path,
        "leverandoerer.csv",
        "provider_ref,name,kind,cvr,administration\n"
        "SMP 0009,Mellemrum i ref,external,25313763,\n"
        "NY,Reserveret ord,external,25313763,\n"
        "SMP-0010,Forkert CVR,external,12345678,\n"
        "SMP-0011,Intern uden forvaltning,internal,,\n",
    )
    errors = fails("providers", path)
    assert names_cell(errors, 2, "provider_ref")
    assert names_cell(errors, 3, "provider_ref")
    assert names_cell(errors, 4, "cvr")
    assert names_cell(errors, 5, "administration")


def test_an_unquoted_decimal_comma_in_a_comma_separated_file_is_refused_not_shifted(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref,order_ref,period_start,period_end,ordered_hours,delivered_hours\n"
        "SMPT-001,ORD-1,2025-01-01,2025-01-31,10,5,7\n",
    )
    assert names_row(fails("hours", path), 2)


def test_a_quoted_decimal_comma_in_a_comma_separated_file_is_accepted(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref,order_ref,period_start,period_end,ordered_hours,delivered_hours\n"
        'SMPT-001,ORD-1,2025-01-01,2025-01-31,"10,5","7,25"\n',
    )
    run("hours", path)
    record = HoursRecord.objects.get(order_ref="ORD-1")
    assert (record.ordered_hours, record.delivered_hours) == (Decimal("10.5"), Decimal("7.25"))


def test_an_xlsx_with_a_bad_cell_names_its_row_and_column(tmp_path, providers_and_offers):
    path = xlsx_file(
        tmp_path,
        "timer.xlsx",
        [
            ("offer_ref", "order_ref", "period_start", "period_end", "ordered_hours", "delivered_hours"),
            ("SMPT-001", "ORD-1", date(2025, 1, 1), date(2025, 1, 31), 10, 10),
            ("SMPT-001", "ORD-2", date(2025, 1, 1), date(2024, 12, 31), 10, 10),
        ],
    )
    assert names_cell(fails("hours", path), 3, "period_end")


def test_what_the_model_refuses_is_named_by_row_and_column_for_every_row(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "timer.csv",
        "offer_ref;order_ref;period_start;period_end;ordered_hours;delivered_hours\n"
        "SMPT-001;ORD-1;01-01-2025;31-01-2025;10,555;10\n"
        "SMPT-001;ORD-2;01-01-2025;31-01-2025;10;10\n"
        "SMPT-001;ORD-3;01-01-2025;31-01-2025;10;9,999\n",
    )
    errors = fails("hours", path)
    assert names_cell(errors, 2, "ordered_hours")
    assert names_cell(errors, 4, "delivered_hours")
    assert not names_row(errors, 3)


def test_a_complaint_decision_date_needs_its_decision_and_comes_before_forwarding(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path,
        "klager.csv",
        "complaint_ref,provider_ref,kind,received_on,decision,decided_on,general_practice,forwarded_on\n"
        "SMPK-101,SMP-0001,formality,2025-02-01,,2025-02-10,no,\n"
        "SMPK-102,SMP-0001,formality,2025-02-01,upheld,2025-02-10,no,2025-02-09\n"
        "SMPK-103,SMP-0001,formality,2025-02-11,upheld,2025-02-10,no,\n",
    )
    errors = fails("complaints", path)
    assert names_cell(errors, 2, "decision")
    assert names_cell(errors, 3, "forwarded_on")
    assert names_cell(errors, 4, "decided_on")


def test_computed_xlsx_numbers_are_read_as_excel_shows_them(tmp_path, providers_and_offers):
    path = xlsx_file(
        tmp_path,
        "timer.xlsx",
        [
            ("offer_ref", "order_ref", "period_start", "period_end", "ordered_hours", "delivered_hours"),
            ("SMPT-001", "ORD-1", date(2025, 1, 1), date(2025, 1, 31), 129, 129 * 0.9),
        ],
    )
    run("hours", path)
    assert HoursRecord.objects.get().delivered_hours == Decimal("116.1")


def test_an_xlsx_month_typed_as_a_date_is_read_as_that_month(tmp_path, providers_and_offers):
    path = xlsx_file(
        tmp_path,
        "fremmoede.xlsx",
        [("offer_ref", "citizen_ref", "month", "registered_correctly"), ("SMPT-001", "BGR-1", date(2025, 3, 1), "ja")],
    )
    run("attendance", path)
    assert Attendance.objects.get(citizen_ref="BGR-1").month == date(2025, 3, 1)


def test_the_command_refuses_a_missing_file_and_an_unknown_user(tmp_path, providers_and_offers):
    with pytest.raises(CommandError):
        call_command("import_data", "hours", str(tmp_path / "findes-ikke.csv"), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_data", "cases", str(SAMPLES / "cases.csv"), "--user", "ingen", stdout=io.StringIO())
    assert not Case.objects.exists()


# --- (d) The browser ---------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_contract_manager_imports_a_file_in_the_browser(cm_client, contract_manager):
    content = (SAMPLES / "providers.csv").read_bytes()
    response = cm_client.post(
        reverse("kvalitet:import_data"), {"kind": "providers", "file": upload("providers.csv", content)}
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.rows, result.added, result.updated) == (5, 5, 0)
    success = re.search(r'class="alert alert-success"[^>]*>(.*?)</div>', response.content.decode(), re.DOTALL)
    assert success
    assert "providers" in success.group(1)
    assert re.findall(r"\d+", success.group(1)) == ["5", "5", "0"]  # rows read, added, updated
    assert Provider.objects.filter(ref__startswith="SMP-").count() == 5

    log = ImportLog.objects.get()
    assert (log.imported_by, log.kind, log.filename) == (contract_manager, "providers", "providers.csv")
    assert log.sha256 == hashlib.sha256(content).hexdigest()
    assert (log.rows, log.added, log.updated) == (5, 5, 0)
    assert Provider.objects.get(ref="SMP-0001").history.get().history_user == contract_manager

    again = cm_client.post(
        reverse("kvalitet:import_data"), {"kind": "providers", "file": upload("providers.csv", content)}
    )
    assert (again.context["result"].added, again.context["result"].updated) == (0, 0)
    assert ImportLog.objects.count() == 2


def test_a_bad_file_in_the_browser_lists_its_errors_and_stores_nothing(cm_client):
    import_samples("providers", "offers")
    before = counts()
    content = "offer_ref;answered_on;score\nSMPT-001;10-03-2025;4\nSMPT-001;31-02-2025;4\nSMPT-001;10-03-2025;9\n"
    response = cm_client.post(
        reverse("kvalitet:import_data"), {"kind": "surveys", "file": upload("svar.csv", content.encode())}
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    errors = response.context["errors"]
    assert len(errors) == 2
    assert names_cell(errors[0], 3, "answered_on")
    assert names_cell(errors[1], 4, "score")
    page = response.content.decode()
    assert 'class="alert alert-danger"' in page
    for error in errors:
        assert escape(error) in page
    after = counts()
    assert after.pop("ImportLog") == before.pop("ImportLog") + 1  # the failure is logged
    assert after == before


def test_a_file_over_the_size_limit_is_refused_in_the_browser(cm_client, settings):
    settings.IMPORT_MAX_MB = 1
    import_samples("providers", "offers")
    before = counts()
    rows = "".join(f"SMPT-001;10-03-2025;4;{'x' * 80}\n" for _i in range(13_000))
    content = ("offer_ref;answered_on;score;comment\n" + rows).encode()
    assert len(content) > 1024 * 1024

    response = cm_client.post(reverse("kvalitet:import_data"), {"kind": "surveys", "file": upload("svar.csv", content)})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "1 MB" in response.content.decode()
    assert counts() == before


def test_only_the_contract_manager_may_import(client, personas):
    client.force_login(personas["caseworker"])
    content = (SAMPLES / "providers.csv").read_bytes()
    response = client.post(
        reverse("kvalitet:import_data"), {"kind": "providers", "file": upload("providers.csv", content)}
    )
    assert response.status_code == 403
    assert not Provider.objects.exists()


# --- (e) Survey answers without a response_ref -------------------------------------------------


def test_identical_survey_rows_are_separate_answers_and_a_file_imported_twice_adds_nothing(
    tmp_path, providers_and_offers
):
    rows = "SMPT-001;10-03-2025;4;God kursusleder\nSMPT-001;10-03-2025;4;God kursusleder\nSMPT-002;10-03-2025;3;\n"
    path = csv_file(tmp_path, "svar-marts.csv", "offer_ref;answered_on;score;comment\n" + rows)

    run("surveys", path)
    assert SurveyResponse.objects.filter(offer__ref="SMPT-001", score=4).count() == 2
    assert SurveyResponse.objects.count() == 3
    run("surveys", path)
    assert (last_log().added, last_log().updated) == (0, 0)
    assert SurveyResponse.objects.count() == 3

    # A later export that repeats the earlier answers and has one more identical answer adds that one.
    later = csv_file(
        tmp_path,
        "svar-marts-opdateret.csv",
        "offer_ref;answered_on;score;comment\n" + rows + "SMPT-001;10-03-2025;4;God kursusleder\n",
    )
    run("surveys", later)
    assert (last_log().added, last_log().updated) == (1, 0)
    assert SurveyResponse.objects.filter(offer__ref="SMPT-001", score=4).count() == 3


def test_a_cpr_number_in_a_survey_comment_is_masked(tmp_path, providers_and_offers):
    path = csv_file(
        tmp_path, "svar.csv", "offer_ref;answered_on;score;comment\nSMPT-001;10-03-2025;2;Mit cpr er 010190-1234\n"
    )
    run("surveys", path)
    assert SurveyResponse.objects.get().comment == "Mit cpr er XXXXXX-XXXX"


# --- (f) Imported inspections ------------------------------------------------------------------


def test_imported_inspections_are_closed_without_assessment_and_count_for_the_repeat_rule(
    tmp_path, providers_and_offers, contract_manager
):
    path = csv_file(
        tmp_path,
        "tilsyn-2024.csv",
        INSPECTION_HEADER.replace("remark\n", "remark;decided_scenario\n")
        + "SMPI-2024-07;SMP-0001;visit;base;yes;10-10-2024;progress_reports_on_time;red;no;For sent;3\n"
        "SMPI-2024-07;SMP-0001;visit;base;yes;10-10-2024;premises;green;no;;3\n",
    )
    run("inspections", path, "--user", "contract-manager")

    imported = Inspection.objects.get(ref="SMPI-2024-07")
    assert imported.imported
    assert imported.status == Inspection.Status.CLOSED
    assert imported.performer is None
    assert imported.created_by == contract_manager
    assert not Assessment.objects.filter(inspection=imported).exists()
    assert imported.findings.count() == 2
    assert imported.decided_scenario == 3  # decided "more criticisable" before Tilsyn: a later red repeats it

    provider = Provider.objects.get(ref="SMP-0001")
    later = supervision_factories.submitted(
        performer=contract_manager,
        provider=provider,
        performed_on=date(2025, 9, 1),
        findings=(("progress_reports_on_time", "red"),),
    )
    proposal = selectors.proposal_for(inspection=later)
    assert (proposal.scenario, proposal.rule) == (4, "repeated_red")
    assert proposal.earlier == ("SMPI-2024-07",)

    too_late = supervision_factories.submitted(
        performer=contract_manager,
        provider=provider,
        performed_on=date(2025, 10, 11),
        findings=(("premises", "red"),),
    )
    assert selectors.proposal_for(inspection=too_late).scenario == 3


def test_a_corrected_inspection_file_updates_the_imported_inspection(tmp_path, providers_and_offers):
    first = csv_file(
        tmp_path, "tilsyn.csv", INSPECTION_HEADER + "SMPI-9;SMP-0001;visit;base;yes;12-02-2025;premises;red;no;\n"
    )
    run("inspections", first)
    corrected = csv_file(
        tmp_path,
        "tilsyn-rettet.csv",
        INSPECTION_HEADER + "SMPI-9;SMP-0001;visit;base;yes;13-02-2025;premises;red;no;\n",
    )
    run("inspections", corrected)
    assert (last_log().added, last_log().updated) == (0, 1)
    inspection = Inspection.objects.get(ref="SMPI-9")
    assert (inspection.performed_on, inspection.planned_on) == (date(2025, 2, 13), date(2025, 2, 13))
    assert inspection.history.count() == 2


def test_an_inspection_made_in_the_browser_is_not_overwritten_by_an_import(
    tmp_path, providers_and_offers, contract_manager
):
    provider = Provider.objects.get(ref="SMP-0001")
    supervision_factories.inspection(performer=contract_manager, provider=provider, ref="SMPI-10")
    path = csv_file(
        tmp_path, "tilsyn.csv", INSPECTION_HEADER + "SMPI-10;SMP-0001;visit;base;yes;12-02-2025;premises;red;no;\n"
    )
    assert names_cell(fails("inspections", path), 2, "inspection_ref")


def test_reimporting_an_inspection_file_looks_its_findings_up_at_once(
    tmp_path, providers_and_offers, django_assert_max_num_queries
):
    """Review finding: each row looked its finding up with a query of its own."""
    areas = ["progress_reports_on_time", "premises", "attendance", "hours_documented"]

    def file(inspections: int):
        rows = "".join(
            f"SMPI-Q{n};SMP-0001;visit;base;yes;10-10-2024;{area};green;no;\n"
            for n in range(inspections)
            for area in areas
        )
        return csv_file(tmp_path, f"tilsyn-{inspections}.csv", INSPECTION_HEADER + rows)

    counts = []
    for inspections in (2, 10):
        path = file(inspections)
        run("inspections", path)
        with django_assert_max_num_queries(60) as captured:
            run("inspections", path)  # unchanged: nothing written, only looked up
        counts.append(len(captured.captured_queries))
        assert (last_log().added, last_log().updated) == (0, 0)
    assert counts[0] == counts[1]
