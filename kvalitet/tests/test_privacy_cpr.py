"""Issue 8, "Done when": a CPR number typed into a complaint's free text in the browser is found in none
of the places named in point 5 — the database rows and their history rows, the list page, the
detail address and page, the log output (django.request and celery included), the Celery task
messages, and the compiled report's PDF."""

from __future__ import annotations

import io
import json
import logging

import pytest
from celery import signals
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter
from pypdf import PdfReader

from conftest import client_for
from kvalitet.models import Complaint, ComplaintAccess
from leverandoer.logfilters import MaskCprFilter
from leverandoer.tests import factories
from rapporter.models import QualityReport, ScenarioOverride

pytestmark = pytest.mark.django_db

CPR = "010190-1234"
CPR_FORMS = ("010190-1234", "0101901234", "010190")  # typed, without the hyphen, its date part


def assert_no_cpr(text: str, where: str) -> None:
    for form in CPR_FORMS:
        assert form not in text, f"CPR number found in {where}"


@pytest.fixture
def sent_tasks():
    """Every task message Celery sends: the body handed to the broker (`before_task_publish`) or,
    without a broker, the arguments the task is run with (`task_prerun`)."""
    sent: list[str] = []

    def published(sender=None, body=None, headers=None, **kwargs):
        sent.append(f"{sender} {json.dumps(body, default=str)} {json.dumps(headers, default=str)}")

    def run(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra):
        sent.append(f"{task.name} {json.dumps(args, default=str)} {json.dumps(kwargs, default=str)}")

    signals.before_task_publish.connect(published, weak=False)
    signals.task_prerun.connect(run, weak=False)
    yield sent
    signals.before_task_publish.disconnect(published)
    signals.task_prerun.disconnect(run)


def test_a_cpr_number_typed_into_a_complaint_is_found_nowhere(
    client, personas, caplog, sent_tasks, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    provider = factories.provider(name="Jobcenter Syd", ref="LEV-0500")
    factories.offer(provider=provider)
    caseworker = personas["caseworker"]
    client_for(client, caseworker)

    # Typed into the complaint form in the browser, in the subject (the complaint's free text).
    created = client.post(
        reverse("kvalitet:complaint_create"),
        {
            "submission_id": "cpr-test",
            "received_on": "2025-02-03",
            "kind": "formality",
            "provider": provider.pk,
            "subject": f"Borgeren {CPR} klager over manglende partshøring",
            "citizen_ref": "B-104233",
            "decision": "upheld",
            "decided_on": "2025-03-03",
            "forwarded_on": "2025-03-04",
            "general_practice": "on",
        },
    )
    complaint = Complaint.objects.get()
    assert complaint.subject == "Borgeren XXXXXX-XXXX klager over manglende partshøring"
    # An error report (mail to ADMINS, the debug page) would show the posted subject hidden.
    reported = SafeExceptionReporterFilter().get_post_parameters(created.wsgi_request)
    assert reported["subject"] == SafeExceptionReporterFilter.cleansed_substitute
    # Then changed once more, so that there is more than one history row.
    edit_url = reverse("kvalitet:complaint_edit", args=[complaint.ref])
    client.post(
        edit_url,
        {
            "received_on": "2025-02-03",
            "kind": "formality",
            "provider": provider.pk,
            "subject": f"Rettet: {CPR.replace('-', '')}",
            "citizen_ref": "B-104233",
            "decision": "upheld",
            "decided_on": "2025-03-03",
            "forwarded_on": "2025-03-04",
            "general_practice": "on",
        },
    )
    assert Complaint.history.filter(id=complaint.pk).count() >= 3

    # The detail address and page, and the list page (also when searched for the number).
    assert created.status_code == 302
    assert_no_cpr(created["Location"], "the detail address")
    detail = client.get(created["Location"])
    assert detail.status_code == 200
    assert "Rettet: XXXXXXXXXX" in detail.content.decode()
    assert_no_cpr(detail.content.decode(), "the detail page")
    listing = client.get(reverse("kvalitet:complaint_list"))
    assert complaint.ref in listing.content.decode()
    assert_no_cpr(listing.content.decode(), "the list page")
    searched = client.get(reverse("kvalitet:complaint_list"), {"q": CPR}, follow=True)
    assert_no_cpr(json.dumps(searched.redirect_chain), "the search's address")
    assert_no_cpr(searched.content.decode(), "the searched list page")
    # An address typed by hand with the number in it: django.request logs the path of the 404.
    assert client.get(reverse("kvalitet:complaint_edit", args=[CPR])).status_code == 404

    # The compiled report (through the Celery task) with a scenario override, and its PDF.
    manager = personas["contract_manager"]
    client_for(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rapporter:report_list"), {"period": "2025-H1"})
    report = QualityReport.objects.get()
    review = reverse("rapporter:report_review", args=[report.period, report.version])
    client.post(review, {"provider_ref": "LEV-0500", "scenario": "4", "justification": f"Se klagen fra {CPR}"})
    assert ScenarioOverride.objects.get().justification == "Se klagen fra XXXXXX-XXXX"
    pdf = client.get(reverse("rapporter:report_pdf", args=[report.period, report.version]))
    assert pdf.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    assert "Jobcenter Syd" in text  # the complaint's provider is in the report
    assert "XXXXXX-XXXX" in " ".join(text.split())  # the override's justification, masked
    assert_no_cpr(text, "the report PDF")
    assert_no_cpr(json.dumps(report.data), "the report snapshot")

    # The Celery messages: the compile was sent as a task, carrying keys only.
    assert any("rapporter.tasks.compile_report" in message for message in sent_tasks)
    assert_no_cpr("\n".join(sent_tasks), "the Celery task messages")

    # The log output, django.request (the 404 above) and celery included: the handler that writes
    # the log masks every record, before the test's own capture sees it.
    assert "Not Found: /klager/XXXXXX-XXXX/" in caplog.text
    assert_no_cpr(caplog.text, "the log output")
    console = [handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler]
    assert len(console) == 1
    assert any(isinstance(f, MaskCprFilter) for f in console[0].filters)
    assert not logging.getLogger("django").handlers  # Django's own go through the masked one

    # Every row of every table, history rows and sessions included.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert "XXXXXX-XXXX" in dump.getvalue()
    assert_no_cpr(dump.getvalue(), "the database")
    sessions = [json.dumps(session.get_decoded(), default=str) for session in Session.objects.all()]
    assert_no_cpr("\n".join(sessions), "the sessions")
    assert ComplaintAccess.objects.filter(citizen_ref="B-104233", user=caseworker).exists()


def test_the_log_filter_masks_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskCprFilter())
    logger = logging.getLogger("tilsyn.test.cpr")
    logger.addHandler(handler)
    try:
        logger.error("Bad row %s", f"cpr {CPR}")
        try:
            raise ValueError(f"cannot parse {CPR}")
        except ValueError:
            logger.exception("Import failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "Bad row cpr XXXXXX-XXXX" in output
    assert "ValueError: cannot parse XXXXXX-XXXX" in output
    assert_no_cpr(output, "the log output")
