"""Point 2 and "bad input" of the security issue, for every upload form: the visit report (inspection
record), the action plan, and the CSV/XLSX import.

Requests are built byte by byte, as a browser or an attacker sends them: Django's test client would
tidy a file name (basename) before it leaves, and these tests are about what arrives. Never a 500,
never a stored file that failed the checks, names made safe, text fields escaped.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from conftest import client_for
from kvalitet.models import ImportLog
from tilsyn import services
from tilsyn.models import ControlArea
from tilsyn.tests import factories
from tilsyn.uploads import display_name

pytestmark = pytest.mark.django_db

BOUNDARY = "----tilsyn-fuzz-7f3a"
PDF = factories.pdf_bytes()
SCRIPTS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']
STORED_NAME = re.compile(r"^(inspections|action-plans)/[0-9a-f]{32}\.pdf$")

# --- Building requests ---------------------------------------------------------------------------


def quoted(name: str) -> bytes:
    """A file name as browsers send it: UTF-8 in quotes, quotes and line breaks percent-encoded."""
    escaped = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    return b'filename="' + escaped.encode("utf-8", "surrogatepass") + b'"'


def extended(name: str) -> bytes:
    """A file name in RFC 5987 form, which can carry any character, NUL and line breaks included."""
    return b"filename*=UTF-8''" + quote(name.encode("utf-8", "surrogatepass"), safe="").encode("ascii")


def multipart(fields: dict[str, str], files: list[tuple[str, bytes, bytes, str]]) -> bytes:
    """`files`: (field, filename parameter as built by `quoted`/`extended`, content, content type)."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        parts.append(value.encode() + b"\r\n")
    for field, filename, content, content_type in files:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '.encode() + filename)
        parts.append(f"\r\nContent-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def post(client, url: str, fields: dict[str, str], files: list[tuple[str, bytes, bytes, str]]):
    body = multipart(fields, files)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_safe_display_name(name: str) -> None:
    assert name.endswith(".pdf")
    assert 5 <= len(name) <= 150
    assert "/" not in name
    assert "\\" not in name
    assert not [char for char in name if unicodedata.category(char)[0] == "C" or unicodedata.category(char) in "ZlZp"]
    assert not set(name) & set('<>:"|?*')
    assert name == name.strip()


def pdf_without_pages() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


# --- The upload forms ----------------------------------------------------------------------------


class Form:
    """One upload form: where it posts, who may use it, its file field, its other fields, and how
    to read back what was stored."""

    def __init__(self, *, url, user, field, fields, row, file_attr, name_attr, download):
        self.url, self.user, self.field, self.fields = url, user, field, fields
        self.row, self.file_attr, self.name_attr, self.download = row, file_attr, name_attr, download

    def stored(self) -> tuple[str, str]:
        self.row.refresh_from_db()
        return getattr(self.row, self.file_attr).name or "", getattr(self.row, self.name_attr)


def record_fields(remark: str = "Skiltet mangler.", performed_on: str = "2025-03-03") -> dict[str, str]:
    fields = {"performed_on": performed_on, "save": "1"}
    for area in ControlArea.objects.filter(active=True):
        fields[f"area-{area.code}-rating"] = ""
        fields[f"area-{area.code}-remark"] = ""
    first = ControlArea.objects.filter(active=True).order_by("position").first()
    fields[f"area-{first.code}-rating"] = "yellow"
    fields[f"area-{first.code}-remark"] = remark
    return fields


@pytest.fixture(params=["visit_report", "action_plan"])
def form(request, personas) -> Form:
    inspector, manager = personas["inspector_a"], personas["contract_manager"]
    if request.param == "visit_report":
        inspection = factories.inspection(performer=inspector, created_by=manager)
        return Form(
            url=reverse("tilsyn:inspection_record", args=[inspection.ref]),
            user=inspector,
            field="report",
            fields=record_fields(),
            row=inspection,
            file_attr="report_file",
            name_attr="report_filename",
            download=reverse("tilsyn:inspection_report", args=[inspection.ref]),
        )
    assessed = factories.submitted(performer=inspector, created_by=manager, findings=[("premises", "red")])
    plan = services.assessment_confirm(inspection=assessed, scenario=3, justification="", by=manager).action_plan
    return Form(
        url=reverse("tilsyn:action_plan_edit", args=[plan.pk]),
        user=manager,
        field="file",
        fields={"status": "received", "note": "Modtaget pr. mail."},
        row=plan,
        file_attr="file",
        name_attr="filename",
        download=reverse("tilsyn:action_plan_file", args=[plan.pk]),
    )


# --- Names ---------------------------------------------------------------------------------------

HOSTILE_NAMES = {
    "parent folders": "../../../etc/passwd.pdf",
    "windows folders": "..\\..\\Windows\\system32\\rapport.pdf",
    "absolute": "/var/www/static/rapport.pdf",
    "nul": "rapport\x00.exe.pdf",
    "right-to-left override": "rapport\u202efdp.exe",
    "right-to-left mark": "\u200frapport\u200f.pdf",
    "300 characters": "a" * 296 + ".pdf",
    "300 characters, no extension": "b" * 300,
    "script": "<script>alert(1)</script>.pdf",
    "quote breaks the header": 'x.pdf"; filename="evil.html',
    "line break": "rapport\r\nContent-Type: text/html.pdf",
    "html entities": "&lt;b&gt;rapport&#47;x.pdf",
    "dots only": "....pdf",
    "danish": "Tilsynsrapport æøå – marts.pdf",
}


@pytest.mark.parametrize("encode", [quoted, extended], ids=["quoted", "rfc5987"])
@pytest.mark.parametrize("name", list(HOSTILE_NAMES.values()), ids=list(HOSTILE_NAMES))
def test_a_hostile_name_is_stored_under_a_generated_name_and_shown_safely(client, form, name, encode):
    client_for(client, form.user)
    response = post(client, form.url, form.fields, [(form.field, encode(name), PDF, "application/pdf")])
    assert response.status_code == 302, response.content.decode()[:2000]

    stored, shown = form.stored()
    assert STORED_NAME.match(stored), stored
    assert media_files() == {stored}
    assert_safe_display_name(shown)

    download = client.get(form.download)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert not set(disposition) & {"\r", "\n", "\x00", "\u202e", "\u200f", "/", "\\"}
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "no-store, private"  # tilsyn.security.NoStoreMiddleware

    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in page


def test_names_keep_their_start_and_lose_folders_and_direction_marks():
    assert display_name("../../../etc/passwd.pdf") == "passwd.pdf"
    assert display_name("..\\..\\Windows\\rapport.PDF") == "rapport.pdf"
    assert display_name("rapport\u202efdp.exe") == "rapportfdp.exe.pdf"
    assert display_name("a" * 296 + ".pdf") == "a" * 146 + ".pdf"
    assert display_name("") == "dokument.pdf"
    assert display_name("....pdf") == "dokument.pdf"
    assert display_name(" \xa0rapport .PDF\u2028") == "rapport.pdf"
    assert display_name("Tilsynsrapport æøå.pdf") == "Tilsynsrapport æøå.pdf"
    assert display_name('x.pdf"; filename="evil.html') == "x.pdf_; filename=_evil.html.pdf"
    assert display_name("<script>alert(1)</script>.pdf") == "script_.pdf"


@given(st.text(max_size=400))
@hypothesis_settings(max_examples=500, database=None)
def test_any_name_becomes_a_safe_display_name(name):
    shown = display_name(name)
    assert_safe_display_name(shown)
    assert display_name(shown) == shown


def test_any_name_sent_to_the_visit_report_form_is_stored_safely(client, personas):
    """Hypothesis picks the names (any Unicode, up to 320 characters) and how they are sent."""
    inspector = personas["inspector_a"]
    inspection = factories.inspection(performer=inspector)
    client_for(client, inspector)
    url = reverse("tilsyn:inspection_record", args=[inspection.ref])
    fields = record_fields()

    @given(name=st.text(max_size=320), encode=st.sampled_from([quoted, extended]))
    @hypothesis_settings(max_examples=40, deadline=None, database=None, derandomize=True)
    def upload(name, encode):
        before = media_files()
        response = post(client, url, fields, [("report", encode(name), PDF, "application/pdf")])
        assert response.status_code == 302
        inspection.refresh_from_db()
        added = media_files() - before
        if inspection.report_file:
            assert STORED_NAME.match(inspection.report_file.name)
            assert_safe_display_name(inspection.report_filename)
            assert added in ({inspection.report_file.name}, set())
        else:
            # Django drops a file part whose name is empty once cleaned ("", "/", "..", only
            # control characters); the rest of the form is saved and no file is stored.
            assert added == set()

    upload()


# --- Contents ------------------------------------------------------------------------------------

BAD_CONTENTS = {
    "html claiming to be a pdf": (
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "The file is not a PDF. Upload it as a PDF file.",
    ),
    "html after the pdf magic": (
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",
        "The file could not be read as a PDF. It may be damaged.",
    ),
    "empty": (b"", "The submitted file is empty."),
    "truncated pdf": (PDF[: len(PDF) // 2], "The file could not be read as a PDF. It may be damaged."),
    "pdf without pages": (pdf_without_pages(), None),
    "png": (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "The file is not a PDF. Upload it as a PDF file."),
    "random bytes": (b"\x00\x01" + os.urandom(2000), "The file is not a PDF. Upload it as a PDF file."),
}


@pytest.mark.parametrize(("content", "message"), list(BAD_CONTENTS.values()), ids=list(BAD_CONTENTS))
def test_a_file_that_is_not_a_good_pdf_is_refused_stored_nowhere_and_the_rest_is_kept(client, form, content, message):
    english(client_for(client, form.user))
    response = post(client, form.url, form.fields, [(form.field, quoted("rapport.pdf"), content, "application/pdf")])
    assert response.status_code == 200
    errors = response.context["form"].errors[form.field]
    assert errors
    if message:
        assert errors == [message]
    assert media_files() == set()
    assert form.stored() == ("", "")
    page = response.content.decode()
    # What else was typed is shown again.
    typed = form.fields.get("note") or next(v for k, v in form.fields.items() if k.endswith("-remark") and v)
    assert typed in page


def test_an_upload_larger_than_any_form_accepts_is_refused_before_it_is_stored(client, form, settings):
    settings.UPLOAD_MAX_MB = settings.IMPORT_MAX_MB = 1
    english(client_for(client, form.user))
    big = PDF + b"%" * (3 * 1024 * 1024)
    response = post(client, form.url, form.fields, [(form.field, quoted("stor.pdf"), big, "application/pdf")])
    assert response.status_code == 400
    assert "Tilsyn accepts files up to 1 MB. Choose a smaller file." in response.content.decode()
    assert media_files() == set()
    assert form.stored() == ("", "")


def test_a_file_over_the_pdf_limit_gets_the_forms_own_message(client, form, settings):
    settings.UPLOAD_MAX_MB, settings.IMPORT_MAX_MB = 1, 5
    english(client_for(client, form.user))
    big = PDF + b"%" * (2 * 1024 * 1024)
    response = post(client, form.url, form.fields, [(form.field, quoted("stor.pdf"), big, "application/pdf")])
    assert response.status_code == 200
    assert response.context["form"].errors[form.field] == ["The file is 2.0 MB; the limit is 1 MB."]
    assert media_files() == set()


def test_101_files_in_one_request_get_a_clear_page_and_nothing_is_stored(client, form):
    english(client_for(client, form.user))
    files = [(form.field, quoted(f"rapport-{n}.pdf"), PDF, "application/pdf") for n in range(101)]
    response = post(client, form.url, form.fields, files)
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "The form held more files than Tilsyn accepts at once (at most 100). Go back and choose one PDF file." in page
    )
    assert "<h1>The request could not be handled</h1>" in page
    assert media_files() == set()
    assert form.stored() == ("", "")


def test_too_much_text_gets_a_clear_page(client, form, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    english(client_for(client, form.user))
    fields = {**form.fields, "note": "x" * 20_000}
    response = post(client, form.url, fields, [(form.field, quoted("r.pdf"), PDF, "application/pdf")])
    assert response.status_code == 400
    assert "The texts in the form were too long" in response.content.decode()
    assert media_files() == set()


# --- Script in every text field -----------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_in_the_visit_report_form_is_escaped_when_saved_and_when_refused(client, personas, script):
    inspector = personas["inspector_a"]
    inspection = factories.inspection(performer=inspector)
    client_for(client, inspector)
    url = reverse("tilsyn:inspection_record", args=[inspection.ref])

    # Refused: a date that is no date, and the typed remark comes back, both escaped.
    refused = post(client, url, record_fields(remark=script, performed_on=script), [])
    assert refused.status_code == 200
    assert "performed_on" in refused.context["form"].errors
    page = refused.content.decode()
    assert script not in page
    assert escaped(script) in page

    # Saved: the remark is stored as typed and shown escaped, with a hostile file name beside it.
    saved = post(
        client, url, record_fields(remark=script), [("report", quoted(script + ".pdf"), PDF, "application/pdf")]
    )
    assert saved.status_code == 302
    assert inspection.findings.get().remark == script
    for page_url in (url, reverse("tilsyn:inspection_detail", args=[inspection.ref])):
        page = client.get(page_url).content.decode()
        assert script not in page
        assert escaped(script) in page


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_in_the_action_plan_form_is_escaped(client, personas, script):
    manager = personas["contract_manager"]
    assessed = factories.submitted(performer=personas["inspector_a"], findings=[("premises", "red")])
    plan = services.assessment_confirm(inspection=assessed, scenario=3, justification="", by=manager).action_plan
    client_for(client, manager)
    url = reverse("tilsyn:action_plan_edit", args=[plan.pk])

    refused = post(client, url, {"status": script, "note": script}, [])
    assert refused.status_code == 200
    assert "status" in refused.context["form"].errors
    assert script not in refused.content.decode()
    assert escaped(script) in refused.content.decode()

    saved = post(
        client, url, {"status": "received", "note": script}, [("file", quoted(script), PDF, "application/pdf")]
    )
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert plan.note == script
    for page_url in (url, reverse("tilsyn:action_plan_list")):
        page = client.get(page_url).content.decode()
        assert script not in page


def escaped(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


# --- The import form (CSV/XLSX, read and never stored as a file) ---------------------------------

CSV = b"provider_ref;name;kind;cvr;administration\r\nLEV-9001;Fuzz ApS;external;10150817;\r\n"


@pytest.mark.parametrize("name", list(HOSTILE_NAMES.values()), ids=list(HOSTILE_NAMES))
def test_the_import_form_takes_any_name_without_a_500_and_shows_it_escaped(client, contract_manager, name):
    client_for(client, contract_manager)
    csv_name = name.removesuffix(".pdf") + ".csv"
    response = post(
        client, reverse("kvalitet:import_data"), {"kind": "providers"}, [("file", quoted(csv_name), CSV, "text/csv")]
    )
    assert response.status_code == 200
    assert media_files() == set()
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    for log in ImportLog.objects.all():
        assert "/" not in log.filename
        assert "\\" not in log.filename
        assert "\x00" not in log.filename
        assert len(log.filename) <= 255


@pytest.mark.parametrize(
    "content",
    [b"", b"<html><script>alert(1)</script></html>", b"PK\x03\x04broken zip", os.urandom(3000), PDF],
    ids=["empty", "html", "broken xlsx", "random", "pdf"],
)
def test_the_import_form_refuses_bad_contents_with_a_message(client, contract_manager, content):
    client_for(client, contract_manager)
    response = post(
        client,
        reverse("kvalitet:import_data"),
        {"kind": "providers"},
        [("file", quoted("data.csv"), content, "text/csv")],
    )
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["errors"]
    assert "<script>alert(1)" not in response.content.decode()
    assert media_files() == set()


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_in_the_import_forms_fields_is_escaped(client, contract_manager, script):
    client_for(client, contract_manager)
    response = post(
        client, reverse("kvalitet:import_data"), {"kind": script}, [("file", quoted("a.csv"), CSV, "text/csv")]
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert script not in response.content.decode()


def test_101_files_to_the_import_form_get_the_clear_page(client, contract_manager):
    english(client_for(client, contract_manager))
    files = [("file", quoted(f"data-{n}.csv"), CSV, "text/csv") for n in range(101)]
    response = post(client, reverse("kvalitet:import_data"), {"kind": "providers"}, files)
    assert response.status_code == 400
    assert "at most 100" in response.content.decode()
    assert not ImportLog.objects.exists()
