from __future__ import annotations

from celery import shared_task

from kvalitet.periods import HalfYear

from . import services


@shared_task(acks_late=True)
def compile_report(run_id: int) -> None:
    """Idempotent by the run row: a second delivery of the same run finds it claimed and stops."""
    services.run_compile(run_id=run_id)


@shared_task
def sweep_report_runs() -> dict:
    return services.runs_sweep()


@shared_task
def compile_draft_for_last_half_year() -> int:
    """1 January and 1 July: a draft of the half-year just ended."""
    from django.utils import timezone

    period = HalfYear.containing(timezone.localdate()).previous()
    return services.report_run_start(period=period).pk


@shared_task(acks_late=True)
def store_published_pdf(publication_id: int) -> str:
    """Render a newly published version's PDF in the worker, so that the secretariat's download is
    the stored file. Idempotent: a PDF already stored is left as it is."""
    from .models import Publication
    from .pdf import publication_pdf

    publication = Publication.objects.select_related("report").get(pk=publication_id)
    publication_pdf(publication)
    publication.refresh_from_db()
    return publication.pdf_sha256
