"""A compile through a real Celery worker process on the real broker and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from kvalitet.models import SurveyResponse
from leverandoer.tests import factories as provider_factories
from rapporter.models import QualityReport, ReportRun
from rapporter.tasks import compile_report
from tilsyn.tests.test_worker import mail_dir, wait_for, worker  # noqa: F401 - fixtures


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_compiles_a_run_and_a_second_delivery_does_nothing(worker):  # noqa: F811
    offer = provider_factories.offer()
    SurveyResponse.objects.create(offer=offer, answered_on=date(2025, 2, 1), score=4)
    run = ReportRun.objects.create(period="2025-H1")
    compile_report.apply_async(args=[run.pk], queue=worker)
    compile_report.apply_async(args=[run.pk], queue=worker)  # a duplicate delivery
    assert wait_for(lambda: ReportRun.objects.filter(pk=run.pk, status="done").exists())
    # The solo worker takes messages in order; a second run after them shows the first two are done.
    marker = ReportRun.objects.create(period="2019-H1")
    compile_report.apply_async(args=[marker.pk], queue=worker)
    assert wait_for(lambda: ReportRun.objects.filter(pk=marker.pk, status="done").exists())
    run.refresh_from_db()
    assert (run.progress, run.attempts) == (100, 1)
    assert QualityReport.objects.filter(period="2025-H1").count() == 1
