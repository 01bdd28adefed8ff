"""Issue 13: an imported inspection's decided scenario, and columns an import does not know.

The decided scenario is the one the administration decided on an inspection before Tilsyn; it is
the inspection's, so every row (finding) of one inspection must give the same. A column that a
kind does not declare is refused by name instead of being ignored, in every kind.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kvalitet import imports
from kvalitet.models import ImportLog
from leverandoer.models import Provider
from tilsyn.models import Finding, Inspection

from .test_imports import SAMPLES, counts

pytestmark = pytest.mark.django_db

HEADER = (
    "inspection_ref;provider_ref;method;kind;unannounced;performed_on;control_area;rating;gross_violation;remark;"
    "decided_scenario\n"
)
OLD_HEADER = HEADER.removesuffix(";decided_scenario\n") + "\n"


@pytest.fixture
def providers_and_offers():
    for kind in ("providers", "offers"):
        imports.run_import(kind=kind, data=(SAMPLES / f"{kind}.csv").read_bytes(), filename=f"{kind}.csv")


def row(ref: str, area: str, decided: str, *, rating: str = "red", provider: str = "SMP-0001") -> str:
    return f"{ref};{provider};visit;base;yes;12-02-2025;{area};{rating};no;;{decided}\n"


def store(kind: str, text: str | bytes, filename: str = "fil.csv") -> imports.Result:
    data = text.encode() if isinstance(text, str) else text
    return imports.run_import(kind=kind, data=data, filename=filename)


def refused(kind: str, text: str | bytes) -> list[str]:
    """The Danish errors of a refused file; nothing stored, the failure logged."""
    before = counts()
    with translation.override("da"), pytest.raises(imports.ImportFailed) as failed:
        store(kind, text)
    after = counts()
    assert after.pop("ImportLog") == before.pop("ImportLog") + 1
    assert after == before
    return failed.value.errors


# --- decided_scenario --------------------------------------------------------------------------


def test_the_decided_scenario_is_stored_on_the_imported_inspection(providers_and_offers):
    text = HEADER + "".join(
        row(f"SMPI-D{n}", area, decided)
        for n, decided in enumerate(["1", "2", "3", "4", ""], start=1)
        for area in ("premises", "attendance")
    )
    result = store("inspections", text)

    assert (result.rows, result.added, result.updated) == (10, 10, 0)
    decided = dict(Inspection.objects.filter(ref__startswith="SMPI-D").values_list("ref", "decided_scenario"))
    assert decided == {"SMPI-D1": 1, "SMPI-D2": 2, "SMPI-D3": 3, "SMPI-D4": 4, "SMPI-D5": None}


def test_reimporting_is_idempotent_and_a_changed_decided_scenario_updates_the_inspection(providers_and_offers):
    text = HEADER + row("SMPI-D1", "premises", "2") + row("SMPI-D1", "attendance", "2")
    store("inspections", text)
    again = store("inspections", text)
    assert (again.added, again.updated) == (0, 0)
    inspection = Inspection.objects.get(ref="SMPI-D1")
    assert inspection.history.count() == 1

    changed = store("inspections", text.replace(";2\n", ";3\n"))
    assert (changed.added, changed.updated) == (0, 2)  # the counts are findings, as for a changed date
    inspection.refresh_from_db()
    assert inspection.decided_scenario == 3
    assert inspection.history.count() == 2

    emptied = store("inspections", text.replace(";2\n", ";\n"))
    assert emptied.updated == 2
    inspection.refresh_from_db()
    assert inspection.decided_scenario is None


def test_a_file_without_the_column_imports_as_before_and_keeps_a_decided_scenario(providers_and_offers):
    old = OLD_HEADER + "SMPI-D1;SMP-0001;visit;base;yes;12-02-2025;premises;red;no;\n"
    result = store("inspections", old)
    assert (result.added, result.updated) == (1, 0)
    assert Inspection.objects.get(ref="SMPI-D1").decided_scenario is None

    store("inspections", HEADER + row("SMPI-D1", "premises", "3"))
    again = store("inspections", old)
    assert (again.added, again.updated) == (0, 0)
    assert Inspection.objects.get(ref="SMPI-D1").decided_scenario == 3


def test_rows_of_one_inspection_that_disagree_on_the_decided_scenario_are_refused(providers_and_offers):
    text = (
        HEADER
        + row("SMPI-D1", "premises", "3")
        + row("SMPI-D1", "attendance", "3")
        + row("SMPI-D1", "legislation", "2")
        + row("SMPI-D2", "premises", "")
        + row("SMPI-D2", "attendance", "4")
        + row("SMPI-D3", "premises", "1", rating="green")  # another inspection may differ
    )
    assert refused("inspections", text) == [
        "Række 4, kolonne decided_scenario: stemmer ikke overens med række 2, som angiver scenarie 3; "
        "alle rækker for et tilsyn skal angive samme afgjorte scenarie eller alle lade kolonnen stå tom",
        "Række 6, kolonne decided_scenario: stemmer ikke overens med række 5, som lader kolonnen stå tom "
        "(ikke afgjort); alle rækker for et tilsyn skal angive samme afgjorte scenarie eller alle lade kolonnen "
        "stå tom",
    ]
    assert not Inspection.objects.exists()
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("5", "5 ligger uden for 1–4."),
        ("0", "0 ligger uden for 1–4."),
        ("-1", "-1 ligger uden for 1–4."),
        ("2,5", "»2,5« er ikke et helt tal."),
        ("tre", "»tre« er ikke et helt tal."),
    ],
)
def test_a_decided_scenario_outside_1_to_4_is_refused(providers_and_offers, value, reason):
    text = HEADER + row("SMPI-D1", "premises", "3") + row("SMPI-D2", "premises", value)
    assert refused("inspections", text) == [f"Række 3, kolonne decided_scenario: {reason}"]
    assert not Inspection.objects.exists()


def test_a_decided_scenario_in_an_xlsx_number_cell_is_read_as_a_whole_number(providers_and_offers, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER.strip().split(";"))
    workbook.active.append(
        ["SMPI-D1", "SMP-0001", "visit", "base", "yes", "12-02-2025", "premises", "red", "no", None, 3]
    )
    path = tmp_path / "tilsyn.xlsx"
    workbook.save(path)
    imports.run_import(kind="inspections", data=path.read_bytes(), filename="tilsyn.xlsx")
    assert Inspection.objects.get(ref="SMPI-D1").decided_scenario == 3


def test_the_sample_shows_decided_and_undecided_inspections(providers_and_offers):
    imports.run_import(kind="inspections", data=(SAMPLES / "inspections.csv").read_bytes(), filename="inspections.csv")
    decided = dict(Inspection.objects.filter(ref__startswith="SMPI-").values_list("ref", "decided_scenario"))
    assert decided == {"SMPI-2025-01": 2, "SMPI-2025-02": None, "SMPI-2025-03": 4}


# --- Unknown columns ---------------------------------------------------------------------------


def test_an_unknown_column_is_refused_by_name_in_surveys_and_in_hours(providers_and_offers):
    surveys = "offer_ref;answered_on;score;Kommentar \nSMPT-001;10-03-2025;4;God\n"
    assert refused("surveys", surveys) == [
        "Række 1, kolonne kommentar: ukendt kolonne; surveys har kun disse kolonner: "
        "offer_ref, answered_on, score, response_ref, comment"
    ]

    hours = (
        "offer_ref,order_ref,period_start,period_end,ordered_hours,delivered_hours,note,rate\n"
        "SMPT-001,ORD-9,2025-01-01,2025-01-31,10,10,,450\n"
    )
    known = "offer_ref, order_ref, period_start, period_end, ordered_hours, delivered_hours"
    assert refused("hours", hours) == [
        f"Række 1, kolonne note: ukendt kolonne; hours har kun disse kolonner: {known}",
        f"Række 1, kolonne rate: ukendt kolonne; hours har kun disse kolonner: {known}",
    ]


def test_a_misspelt_column_is_named_both_missing_and_unknown(providers_and_offers):
    assert refused("surveys", "offer_ref;answered_on;scroe\nSMPT-001;10-03-2025;4\n") == [
        "Række 1: manglende kolonner: score (overskriftsrækken skal indeholde præcis disse navne).",
        "Række 1, kolonne scroe: ukendt kolonne; surveys har kun disse kolonner: "
        "offer_ref, answered_on, score, response_ref, comment",
    ]


def test_every_kind_refuses_an_unknown_column():
    for name, spec in imports.KIND_SPECS.items():
        header = ",".join([*spec.required, "extra_column"])
        with translation.override("da"), pytest.raises(imports.ImportFailed) as failed:
            store(name, header + "\n" + ",".join("x" for _column in [*spec.required, "extra"]) + "\n")
        assert failed.value.errors[0].startswith(
            f"Række 1, kolonne extra_column: ukendt kolonne; {name} har kun disse kolonner: "
        ), name
    assert ImportLog.objects.count() == len(imports.KIND_SPECS)


def test_header_names_are_matched_without_case_spaces_or_byte_order_marks(providers_and_offers):
    """A BOM inside the first cell (a file saved twice as "CSV UTF-8") is no unknown column."""
    text = "\ufeff\ufeff OFFER_REF ;Answered_On;\xa0score\xa0;\u200bComment\nSMPT-001;10-03-2025;4;God\n"
    result = store("surveys", text)
    assert (result.rows, result.added) == (1, 1)

    windows = "offer_ref;answered_on;score;Bemærkning\nSMPT-001;10-03-2025;4;Tilfreds med forløbet\n"
    assert refused("surveys", windows.encode("cp1252"))[0].startswith("Række 1, kolonne bemærkning: ukendt kolonne;")


def test_an_unnamed_column_is_ignored_when_empty_and_refused_when_it_holds_values(providers_and_offers):
    """Danish Excel leaves a trailing separator after a deleted column; that is no column."""
    empty = "offer_ref;answered_on;score;\nSMPT-001;10-03-2025;4;\n"
    assert store("surveys", empty).added == 1

    filled = "offer_ref;answered_on;score;;comment\nSMPT-001;11-03-2025;4;;\nSMPT-001;12-03-2025;4;ja;\n"
    assert refused("surveys", filled) == [
        "Række 1: kolonne D har intet navn i overskriftsrækken, men rækkerne under den har værdier i den."
    ]


def test_an_unknown_column_in_the_browser_is_named_on_the_page_and_nothing_is_stored(cm_client):
    for kind in ("providers", "offers"):
        imports.run_import(kind=kind, data=(SAMPLES / f"{kind}.csv").read_bytes(), filename=f"{kind}.csv")
    before = counts()
    content = (SAMPLES / "inspections.csv").read_text().replace("decided_scenario", "afgjort_scenarie")
    upload = SimpleUploadedFile("tilsyn.csv", content.encode(), content_type="text/csv")

    response = cm_client.post(
        reverse("kvalitet:import_data"), {"kind": "inspections", "file": upload}, HTTP_ACCEPT_LANGUAGE="da"
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    message = (
        "Række 1, kolonne afgjort_scenarie: ukendt kolonne; inspections har kun disse kolonner: inspection_ref, "
        "provider_ref, method, kind, unannounced, performed_on, control_area, rating, gross_violation, remark, "
        "decided_scenario"
    )
    assert response.context["errors"] == [message]
    assert message in response.content.decode()
    after = counts()
    assert after.pop("ImportLog") == before.pop("ImportLog") + 1
    assert after == before
    assert not Inspection.objects.exists()


def test_a_decided_scenario_of_5_in_the_browser_is_named_and_nothing_is_stored(cm_client):
    for kind in ("providers", "offers"):
        imports.run_import(kind=kind, data=(SAMPLES / f"{kind}.csv").read_bytes(), filename=f"{kind}.csv")
    content = HEADER + row("SMPI-D1", "premises", "3") + row("SMPI-D1", "attendance", "5")
    upload = SimpleUploadedFile("tilsyn.csv", content.encode(), content_type="text/csv")

    response = cm_client.post(
        reverse("kvalitet:import_data"), {"kind": "inspections", "file": upload}, HTTP_ACCEPT_LANGUAGE="da"
    )

    assert response.status_code == 200
    assert response.context["errors"] == ["Række 3, kolonne decided_scenario: 5 ligger uden for 1–4."]
    assert "Række 3, kolonne decided_scenario: 5 ligger uden for 1–4." in response.content.decode()
    assert not Inspection.objects.exists()
    assert Provider.objects.filter(ref="SMP-0001").exists()
