"""Issue 14: the smaller holes a penetration test found (admin ids, PDF uploads, the survey limit)."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tilsyn import services
from tilsyn.models import ActionPlan, ControlArea, Inspection
from tilsyn.tests import factories
from tilsyn.uploads import strip_active_content

# Ids a person (or a scanner) might put where the admin expects a primary key.
BAD_IDS = ["abc", "99999999999999999999", "-1", "1.5", "1e5", "%00", "'\"<>", "ÆØÅ", "0x10", " 1", "_5F"]


def admin_id_urls():
    """Every URL of every registered ModelAdmin that takes an object id, with each bad id."""
    for model_admin in admin.site._registry.values():
        for pattern in model_admin.get_urls():
            groups = pattern.pattern.regex.groups
            if not pattern.name or groups == 0:
                continue
            for bad in BAD_IDS:
                # Every id bad, and (for `<id>/history/<history_id>/`) a good object id with a bad one.
                for args in {(bad,) * groups, ("1",) * (groups - 1) + (bad,)}:
                    try:
                        yield reverse(f"admin:{pattern.name}", args=args)
                    except NoReverseMatch:
                        continue


@pytest.mark.django_db
def test_no_admin_url_answers_500_for_a_bad_id(client, administrator):
    client.force_login(administrator)
    client.raise_request_exception = False
    urls = list(admin_id_urls())
    assert len(urls) > 100  # every model, every id pattern
    failures = []
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code >= 500:
                failures.append((method.__name__, url, response.status_code))
    assert failures == [], "\n".join(map(str, failures))
    # A missing object is the admin's usual answer: not found, or back to the list with a message.
    for url in (
        reverse("admin:tilsyn_inspection_history", args=["abc"]),
        reverse("admin:tilsyn_inspection_simple_history", args=["1", "abc"]),
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


# --- Active content in uploaded PDFs (item 6) ----------------------------------------------------


def hostile_pdf(kind: str) -> bytes:
    """A one-page PDF built with pypdf carrying one kind of active content."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    if kind == "javascript":  # a document-level script, run on opening
        writer.add_open_action(JavaScript("app.alert('hej');"))
    elif kind == "open_action":
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(JavaScript("this.print();"))
    elif kind == "launch":
        launch = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
        )
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    elif kind == "page_action":  # /AA: additional actions, here when the page opens
        page.add_action(PageTrigger.OPEN, JavaScript("app.launchURL('https://example.org');"))
    elif kind == "attachment":
        writer.add_attachment("virus.exe", b"MZ not really")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


ACTIVE = {
    "javascript": "JavaScript",
    "open_action": "JavaScript, handlinger, der køres ved åbning eller hændelser (/OpenAction, /AA)",
    "launch": "åbning af programmer eller andre filer (/Launch), "
    "handlinger, der køres ved åbning eller hændelser (/OpenAction, /AA)",
    "page_action": "JavaScript, handlinger, der køres ved åbning eller hændelser (/OpenAction, /AA)",
    "attachment": "indlejrede filer",
}
MARKERS = [b"/JavaScript", b"/JS", b"/Launch", b"/OpenAction", b"/AA", b"/EmbeddedFile", b"app.alert", b"MZ not"]


def upload_form(kind: str, personas):
    """(user, url, field, fields, stored file) for the visit report or the action plan form."""
    inspector, manager = personas["inspector_a"], personas["contract_manager"]
    if kind == "visit_report":
        inspection = factories.inspection(performer=inspector, created_by=manager)
        first = ControlArea.objects.filter(active=True).order_by("position").first()
        fields = {"performed_on": "2025-03-03", "save": "1", f"area-{first.code}-rating": "green"}
        url = reverse("tilsyn:inspection_record", args=[inspection.ref])
        return inspector, url, "report", fields, lambda: Inspection.objects.get(pk=inspection.pk).report_file
    assessed = factories.submitted(performer=inspector, created_by=manager, findings=[("premises", "red")])
    plan = services.assessment_confirm(inspection=assessed, scenario=3, justification="", by=manager).action_plan
    url = reverse("tilsyn:action_plan_edit", args=[plan.pk])
    return manager, url, "file", {"status": "received", "note": ""}, lambda: ActionPlan.objects.get(pk=plan.pk).file


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["visit_report", "action_plan"])
@pytest.mark.parametrize("kind", ACTIVE)
def test_active_content_is_removed_from_an_uploaded_pdf_and_the_user_told(client, personas, where, kind):
    user, url, field, fields, stored = upload_form(where, personas)
    client.force_login(user)
    content = hostile_pdf(kind)
    assert any(marker in content for marker in MARKERS)
    upload = SimpleUploadedFile("rapport.pdf", content, content_type="application/pdf")
    response = client.post(url, {**fields, field: upload}, follow=True)
    assert response.status_code == 200
    assert f"Filen indeholdt aktivt indhold ({ACTIVE[kind]}), som er fjernet." in response.content.decode()
    with stored().open("rb") as file:
        kept = file.read()
    assert [marker for marker in MARKERS if marker in kept] == []
    assert strip_active_content(kept)[1] == set()
    assert len(PdfReader(io.BytesIO(kept)).pages) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["visit_report", "action_plan"])
def test_a_pdf_without_active_content_is_stored_byte_for_byte_and_no_word_said(client, personas, where):
    user, url, field, fields, stored = upload_form(where, personas)
    client.force_login(user)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )
    buffer = io.BytesIO()
    writer.write(buffer)  # "open at page 1, fitted": a destination, as office programs write it
    upload = SimpleUploadedFile("rapport.pdf", buffer.getvalue(), content_type="application/pdf")
    response = client.post(url, {**fields, field: upload}, follow=True)
    assert response.status_code == 200
    assert "aktivt indhold" not in response.content.decode()
    with stored().open("rb") as file:
        assert file.read() == buffer.getvalue()


def test_links_and_chained_actions():
    """A link to a web page stays; a link whose chained action (/Next) launches a program goes."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("x.exe")})
    web = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://kk.dk")}
    )
    chained = DictionaryObject({**web, NameObject("/Next"): launch})
    annotations = ArrayObject()
    for action in (web, chained):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                NameObject("/A"): action,
            }
        )
        annotations.append(writer._add_object(annotation))
    page[NameObject("/Annots")] = annotations
    buffer = io.BytesIO()
    writer.write(buffer)
    cleaned, removed = strip_active_content(buffer.getvalue())
    assert removed == {"launch"}
    kept = [annot.get_object().get("/A") for annot in PdfReader(io.BytesIO(cleaned)).pages[0]["/Annots"]]
    assert kept[0]["/URI"] == "https://kk.dk"
    assert kept[1] is None
    assert b"x.exe" not in cleaned


# --- The survey flood limit behind a proxy (item 8) ----------------------------------------------

PROXY = "10.0.0.2"  # every request reaches the app from the reverse proxy


@pytest.fixture
def survey_url(db):
    from django.core.cache import cache

    from kvalitet.models import SurveyLink
    from leverandoer.tests import factories as provider_factories

    cache.clear()
    return reverse("kvalitet:survey_answer", args=[SurveyLink.objects.create(offer=provider_factories.offer()).token])


def answer(client, url, **headers):
    return client.post(url, {"score": "4"}, REMOTE_ADDR=PROXY, **headers)


FLOODED = "Der er kommet mange besvarelser fra dit netværk på kort tid. Prøv igen senere."


@override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR", SURVEY_ANSWERS_PER_HOUR=3)
def test_behind_a_proxy_each_forwarded_address_has_its_own_limit(client, survey_url):
    from kvalitet.models import SurveyResponse

    # The proxy appends the address it saw; what a client put in the header itself comes first.
    for _ in range(3):
        assert answer(client, survey_url, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.10").status_code == 200
    refused = answer(client, survey_url, HTTP_X_FORWARDED_FOR="5.6.7.8, 192.0.2.10")
    assert FLOODED in refused.content.decode()  # a forged first entry does not make a new citizen
    for _ in range(3):
        assert FLOODED not in answer(client, survey_url, HTTP_X_FORWARDED_FOR="192.0.2.20").content.decode()
    assert FLOODED in answer(client, survey_url, HTTP_X_FORWARDED_FOR="192.0.2.20").content.decode()
    assert SurveyResponse.objects.count() == 6


@override_settings(CLIENT_IP_HEADER="", SURVEY_ANSWERS_PER_HOUR=3)
def test_without_the_setting_a_forwarded_header_is_ignored(client, survey_url):
    from kvalitet.models import SurveyResponse

    for n in range(3):
        answer(client, survey_url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    refused = answer(client, survey_url, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert FLOODED in refused.content.decode()  # spoofed addresses share the connection's limit
    assert SurveyResponse.objects.count() == 3
