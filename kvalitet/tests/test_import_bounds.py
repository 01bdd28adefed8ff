"""Issue 14, items 1 and 3: imports are bounded before a file is parsed whole, answer briefly, run
as a task above IMPORT_BACKGROUND_ROWS rows, and read CSV strictly.

The hostile files are built here: an XLSX whose one shared string unpacks to 300 MB from about
300 KB, and a CSV of a million rows. Both must be refused within 5 s and well under 300 MB.
"""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from kvalitet import imports
from kvalitet.models import ImportLog, ImportRun, SurveyResponse

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
SURVEY_HEADER = "offer_ref;answered_on;score;comment\n"
NEVER_CLOSED = "Række 3: et anførselstegn lukkes aldrig; rækken og alle efter den ville blive læst som ét felt."
TOO_MANY_CELLS = (
    "Række 3: har flere celler, end overskriftsrækken har kolonner; i en kommasepareret fil skal et tal med "
    "decimalkomma stå i anførselstegn"
)


@pytest.fixture
def offers():
    for kind in ("providers", "offers"):
        call_command("import_data", kind, str(SAMPLES / f"{kind}.csv"), stdout=io.StringIO())


@pytest.fixture(autouse=True)
def danish():
    with translation.override("da"):
        yield


def refused(kind: str, data: bytes, filename: str = "fil.csv") -> list[str]:
    """The lines a person is shown for a refused file; nothing stored, the failure logged."""
    logs, answers = ImportLog.objects.count(), SurveyResponse.objects.count()
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_start(kind=kind, data=data, filename=filename)
    assert ImportLog.objects.count() == logs + 1
    assert SurveyResponse.objects.count() == answers
    return failed.value.lines


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def survey_rows(count: int, score: str = "4") -> str:
    return SURVEY_HEADER + "".join(f"SMPT-001;10-03-2025;{score};svar {i}\n" for i in range(count))


# --- Bounds before parsing ---------------------------------------------------------------------


def timed_and_traced(refuse) -> tuple[float, int, list[str]]:
    """Seconds taken, and the peak of memory allocated in a second run (tracing slows Python down
    several times, so the time is taken without it)."""
    started = time.monotonic()
    lines = refuse()
    elapsed = time.monotonic() - started
    tracemalloc.start()
    try:
        assert refuse() == lines
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return elapsed, peak, lines


def xlsx_bomb(megabytes: int) -> bytes:
    """A workbook whose sharedStrings.xml is one string of `megabytes` MB: written in chunks, so that
    the test itself never holds it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><sst><si><t>')
            chunk = b"x" * (1024 * 1024)
            for _i in range(megabytes):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_to_300_mb_is_refused_within_5_s_and_little_memory(offers):
    bomb = xlsx_bomb(300)
    assert len(bomb) < 1024 * 1024

    elapsed, peak, lines = timed_and_traced(lambda: refused("surveys", bomb, "bombe.xlsx"))

    assert lines == ["XLSX-filen fylder 300 MB udpakket; højst 100 MB (og 100 gange filens størrelse) læses."]
    assert elapsed < 5
    assert peak < 30 * 1024 * 1024


def test_the_unpacked_size_and_the_packing_ratio_are_settings(settings, offers):
    workbook = Workbook()
    workbook.active.append(["offer_ref", "answered_on", "score"])
    for _i in range(2000):
        workbook.active.append(["SMPT-001", "10-03-2025", 4])
    data = io.BytesIO()
    workbook.save(data)
    assert imports.import_start(kind="surveys", data=data.getvalue(), filename="svar.xlsx").added == 2000

    settings.IMPORT_MAX_PACKING_RATIO = 2
    (line,) = refused("surveys", data.getvalue(), "svar.xlsx")
    assert line.startswith("XLSX-filen fylder ")
    assert line.endswith(" (og 2 gange filens størrelse) læses.")


@pytest.mark.parametrize("part", ["xl/vbaProject.bin", "xl/embeddings/oleObject1.bin", "../../etc/passwd"])
def test_an_xlsx_with_a_part_a_workbook_does_not_have_is_refused(offers, part):
    workbook = Workbook()
    workbook.active.append(["offer_ref", "answered_on", "score"])
    workbook.active.append(["SMPT-001", "10-03-2025", 4])
    data = io.BytesIO()
    workbook.save(data)
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr(part, b"MZ")

    assert refused("surveys", data.getvalue(), "svar.xlsx") == [
        f"XLSX-filen indeholder en del, som en Excel-projektmappe ikke har ({part}); gem den igen som XLSX."
    ]


def test_a_csv_of_a_million_rows_is_refused_quickly_by_the_row_bound(offers):
    data = ("offer_ref;answered_on;score\n" + "x;y;1\n" * 1_000_000).encode()
    assert len(data) < 20 * 1024 * 1024  # within the size limit: the row bound refuses it

    started = time.monotonic()
    lines = refused("surveys", data)
    elapsed = time.monotonic() - started

    assert lines == ["Filen har mere end 200.000 rækker. Del den op i mindre filer."]
    assert elapsed < 5


def test_the_row_bound_is_a_setting_for_csv_and_xlsx(settings, offers):
    settings.IMPORT_MAX_ROWS = 3
    assert imports.import_start(kind="surveys", data=survey_rows(3).encode(), filename="svar.csv").added == 3
    assert refused("surveys", survey_rows(4).encode()) == ["Filen har mere end 3 rækker. Del den op i mindre filer."]

    workbook = Workbook()
    for row in [["offer_ref", "answered_on", "score"], *[["SMPT-001", "10-03-2025", 4]] * 4]:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    assert refused("surveys", data.getvalue(), "svar.xlsx") == [
        "Filen har mere end 3 rækker. Del den op i mindre filer."
    ]


def test_the_file_size_is_bounded_on_every_path(settings, offers):
    settings.IMPORT_MAX_MB = 1
    data = survey_rows(40_000).encode()
    assert len(data) > 1024 * 1024
    assert refused("surveys", data) == ["Filen er større end 1 MB. Del den op i mindre filer."]


def test_a_cell_longer_than_the_limit_is_refused_and_quoted_cut(offers, cm_client):
    long = "a" * 10_000
    content = (SURVEY_HEADER + f"SMPT-001;10-03-2025;4;{long}\n").encode()
    cut = "»" + "a" * 59 + "…« har 10.000 tegn; en celle må højst have 2.000."

    assert refused("surveys", content) == [f"Række 2, kolonne comment: {cut}"]

    workbook = Workbook()
    workbook.active.append(["offer_ref", "answered_on", "score", "comment"])
    workbook.active.append(["SMPT-001", "10-03-2025", 4, long])
    data = io.BytesIO()
    workbook.save(data)
    assert refused("surveys", data.getvalue(), "svar.xlsx") == [f"Række 2, kolonne comment: {cut}"]

    response = cm_client.post(reverse("kvalitet:import_data"), {"kind": "surveys", "file": upload("s.csv", content)})
    page = response.content.decode()
    assert f"Række 2, kolonne comment: {cut}" in page
    assert "a" * 61 not in page


def test_a_long_value_quoted_in_any_message_is_cut_to_60_characters(offers):
    score = "9" * 1500
    column = "c" * 3000
    lines = refused("surveys", f"offer_ref;answered_on;score\nSMPT-001;10-03-2025;{score}\n".encode())
    assert lines == ["Række 2, kolonne score: »" + "9" * 59 + "…« er ikke et helt tal."]

    (line, *_rest) = refused("surveys", f"offer_ref;answered_on;score;{column}\nSMPT-001;10-03-2025;4;x\n".encode())
    assert line.startswith("Række 1, kolonne " + "c" * 59 + "…: ukendt kolonne")


# --- Short answers -----------------------------------------------------------------------------


def test_a_file_of_1000_bad_rows_answers_with_50_lines_and_the_count_of_the_rest(offers, cm_client):
    content = survey_rows(1000, score="9").encode()

    response = cm_client.post(reverse("kvalitet:import_data"), {"kind": "surveys", "file": upload("s.csv", content)})

    errors = response.context["errors"]
    assert len(errors) == 51
    assert errors[0] == "Række 2, kolonne score: 9 ligger uden for 1–5."
    assert errors[49] == "Række 51, kolonne score: 9 ligger uden for 1–5."
    assert errors[50] == "… og 950 fejl mere"
    alert = re.search(r'class="alert alert-danger".*?</div>', response.content.decode(), re.DOTALL).group(0)
    assert alert.count("<li>") == 51
    assert ImportLog.objects.order_by("-pk").first().errors == 1000
    assert SurveyResponse.objects.count() == 0


def test_the_command_lists_50_errors_and_counts_them_all(tmp_path, offers):
    path = tmp_path / "svar.csv"
    path.write_text(survey_rows(1000, score="9"))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Intet er importeret: 1000 fejl\."):
        call_command("import_data", "surveys", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 51
    assert lines[-1] == "… og 950 fejl mere"


# --- Strict CSV --------------------------------------------------------------------------------


def separated(separator: str, *rows: list[str]) -> bytes:
    return "".join(separator.join(row) + "\n" for row in rows).encode()


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_an_unterminated_quote_is_an_error_naming_its_row(offers, separator):
    content = separated(
        separator,
        ["offer_ref", "answered_on", "score", "comment"],
        ["SMPT-001", "10-03-2025", "4", "god"],
        ["SMPT-001", "10-03-2025", "4", '"glemt at lukke'],
        ["SMPT-001", "11-03-2025", "5", "fin"],
        ["SMPT-001", "12-03-2025", "3", "ok"],
    )
    assert refused("surveys", content) == [NEVER_CLOSED]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_a_quote_closed_in_the_middle_of_a_cell_is_an_error_naming_its_row(offers, separator):
    content = separated(
        separator,
        ["offer_ref", "answered_on", "score", "comment"],
        ["SMPT-001", "10-03-2025", "4", "god"],
        ["SMPT-001", "10-03-2025", "4", '"halvt" citeret'],
    )
    assert refused("surveys", content) == [
        "Række 3: et anførselstegn står forkert; en celle i anførselstegn skal slutte med det lukkende "
        "anførselstegn lige før skilletegnet eller linjens slutning."
    ]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_a_row_with_more_fields_than_the_header_is_an_error_naming_its_row(offers, separator):
    content = separated(
        separator,
        ["offer_ref", "answered_on", "score"],
        ["SMPT-001", "10-03-2025", "4"],
        ["SMPT-001", "10-03-2025", "4", "en celle for meget"],
        ["SMPT-001", "10-03-2025", "5", ""],  # an empty cell beyond the header is no field
    )
    assert refused("surveys", content) == [TOO_MANY_CELLS]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_a_quoted_cell_with_separators_and_line_breaks_is_still_one_cell(offers, separator):
    content = separated(
        separator,
        ["offer_ref", "answered_on", "score", "comment"],
        ["SMPT-001", "10-03-2025", "4", f'"to linjer{separator} med\n""citat"""'],
        ["SMPT-001", "11-03-2025", "5", "fin"],
    )
    result = imports.import_start(kind="surveys", data=content, filename="svar.csv")
    assert (result.rows, result.added) == (2, 2)
    assert SurveyResponse.objects.filter(comment=f'to linjer{separator} med\n"citat"').count() == 1


def test_an_unterminated_quote_in_the_browser_names_the_row_and_stores_nothing(offers, cm_client):
    content = (
        SURVEY_HEADER + 'SMPT-001;10-03-2025;4;god\nSMPT-001;10-03-2025;4;"åben\nSMPT-001;11-03-2025;5;x\n'
    ).encode()

    response = cm_client.post(reverse("kvalitet:import_data"), {"kind": "surveys", "file": upload("s.csv", content)})

    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["errors"] == [NEVER_CLOSED]
    assert NEVER_CLOSED in response.content.decode()
    assert SurveyResponse.objects.count() == 0


# --- Large imports as runs ---------------------------------------------------------------------


def test_an_import_of_more_than_5000_rows_runs_as_a_task_with_a_progress_page(
    offers, cm_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    assert settings.IMPORT_BACKGROUND_ROWS == 5000
    from tilsyn import celery_app

    assert celery_app.conf.task_always_eager  # as on the embedded default: the task runs in the request
    content = survey_rows(5001).encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(
            reverse("kvalitet:import_data"), {"kind": "surveys", "file": upload("s.csv", content)}
        )

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("kvalitet:import_run", args=[run.pk])
    assert (run.status, run.progress, run.rows, run.added, run.updated) == ("done", 100, 5001, 5001, 0)
    assert run.attempts == 1
    assert run.finished_at is not None
    assert SurveyResponse.objects.count() == 5001
    log = ImportLog.objects.order_by("-pk").first()
    assert run.log == log
    assert (log.kind, log.filename, log.rows, log.added) == ("surveys", "s.csv", 5001, 5001)
    assert not any((tmp_path / "imports").iterdir())  # the stored upload is deleted after the run

    page = cm_client.get(response.url).content.decode()
    assert '<progress class="w-100" max="100" value="100"' in page
    assert "surveys: 5.001 rækker læst, 5.001 tilføjet, 0 opdateret." in page
    assert 'http-equiv="refresh"' not in page


def test_a_waiting_run_shows_its_progress_and_refreshes_itself(cm_client, contract_manager):
    run = ImportRun.objects.create(
        kind="surveys", filename="s.csv", started_by=contract_manager, status="running", progress=40
    )
    page = cm_client.get(run.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress class="w-100" max="100" value="40"' in page
    assert "Importerer – siden opdateres automatisk." in page
    assert run.get_absolute_url() in cm_client.get(reverse("kvalitet:import_data")).content.decode()


def test_the_threshold_is_a_setting_and_a_failed_run_lists_its_errors(
    offers, cm_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_ROWS = 10
    url = reverse("kvalitet:import_data")

    small = cm_client.post(url, {"kind": "surveys", "file": upload("s.csv", survey_rows(10).encode())})
    assert small.status_code == 200
    assert small.context["result"].added == 10
    assert not ImportRun.objects.exists()

    bad = survey_rows(11, score="9").encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(url, {"kind": "surveys", "file": upload("s.csv", bad)})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert (run.status, run.error_count, len(run.errors)) == ("failed", 11, 11)
    assert run.errors[0] == "Række 2, kolonne score: 9 ligger uden for 1–5."
    assert SurveyResponse.objects.count() == 10
    assert ImportLog.objects.order_by("-pk").first().errors == 11
    assert not any((tmp_path / "imports").iterdir())
    page = cm_client.get(response.url).content.decode()
    assert "Intet er importeret. Ret disse rækker, og importér filen igen:" in page
    assert "Række 12, kolonne score: 9 ligger uden for 1–5." in page


def test_a_run_is_claimed_once_and_a_dead_one_is_swept(offers, settings, tmp_path, contract_manager):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_ROWS = 1
    run = imports.import_start(kind="surveys", data=survey_rows(2).encode(), filename="s.csv", by=contract_manager)
    assert (run.status, SurveyResponse.objects.count()) == ("pending", 0)  # sent once committed
    assert imports.import_run_execute(run_id=run.pk).status == "done"
    assert imports.import_run_execute(run_id=run.pk) is None  # a second delivery does nothing
    assert SurveyResponse.objects.count() == 2

    stored = tmp_path / "imports" / "dead.upload"
    stored.write_bytes(b"x")
    dead = ImportRun.objects.create(
        kind="surveys",
        filename="s.csv",
        upload="imports/dead.upload",
        status="running",
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1),
    )
    assert imports.import_runs_sweep() == {"failed": 1, "resent": 0}
    dead.refresh_from_db()
    assert dead.status == "failed"
    assert dead.error
    assert not stored.exists()
