"""The committee's PDF (WeasyPrint, A4, Danish, tagged PDF/UA). Fetches nothing but the app's own
static files: user text is rendered as text, never followed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetchingError

from kvalitet.scoring import TRACKS
from tilsyn.models import Measure, ScenarioPolicy

from . import charts, services, summary, suppression
from .models import Publication, QualityReport

# Measures that rest on a framework agreement; the municipality's own centres have none.
CONTRACTUAL_MEASURES = {Measure.Kind.REFERRAL_STRATEGY, Measure.Kind.REFERRAL_STOP, Measure.Kind.BREACH_CASE}
CSS_FILE = Path(settings.BASE_DIR) / "templates" / "rapporter" / "pdf" / "report.css"


def static_only_fetcher(url: str, *args, **kwargs):
    """Serve `static:` files from the app's own static folders; refuse every other address."""
    if url.startswith("static:"):
        try:
            path = finders.find(url.removeprefix("static:"))
        except SuspiciousFileOperation:
            path = None
        if path:
            return {"file_obj": open(path, "rb"), "filename": Path(path).name}
    raise URLFetchingError(f"Refused to fetch {url!r}: reports fetch only the app's own static files.")


def render_html(report: QualityReport) -> str:
    """The PDF's HTML, in the site's language (Danish) whoever asks."""
    with translation.override(settings.LANGUAGE_CODE):
        # The committee's document: small numbers withheld whoever downloads it (issue 13).
        public = suppression.public(report.data, services.effective_rows(report))
        rows = public.rows
        measure_labels = dict(Measure.Kind.choices)
        # The measures follow the scenario decided (an override may differ from the proposal).
        policies = {policy.scenario: policy.measures for policy in ScenarioPolicy.objects.all()}
        standing_out = [
            {
                **row,
                "measure_labels": [
                    str(measure_labels.get(code, code))
                    for code in policies.get(row["scenario"], [])
                    if not (row.get("kind") == "internal" and code in CONTRACTUAL_MEASURES)
                ],
            }
            for row in rows
            if row["scenario"] in (3, 4)
        ]
        colours = charts.colour_counts(rows)
        footnotes = public.footnotes()
        # The section lists the reasons of the red and yellow tracks only.
        shown = [row["tracks"][track] for row in standing_out for track in TRACKS]
        footnotes["standing_out"] = suppression.footnotes(
            suppression.entry_kinds(entry for entry in shown if entry["colour"] in ("red", "yellow"))
        )
        context = {
            "report": report,
            "data": public.data,
            "public": True,
            "footnotes": footnotes,
            "rows": rows,
            "tracks": TRACKS,
            "standing_out": standing_out,
            "colours": colours,
            "publication": getattr(report, "publication", None),
            "printed": timezone.localtime(),
            "overridden": [row for row in rows if row["override"]],
            **summary.for_display(report.data, rows),
        }
        return render_to_string("rapporter/pdf/report.html", context)


def publication_pdf(publication: Publication) -> bytes:
    """A published version's PDF: rendered once, stored, and the same bytes every time after, so
    that what the committee got can be shown again exactly (its SHA-256 is kept beside it)."""
    if publication.pdf:
        with publication.pdf.open("rb") as stored:
            return stored.read()
    content = render_pdf(publication.report)
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.pdf:  # another process stored it first: theirs is the one
            with locked.pdf.open("rb") as stored:
                return stored.read()
        report = publication.report
        locked.pdf.save(f"kvalitetsrapport-{report.period}-v{report.version}.pdf", ContentFile(content), save=False)
        locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
        locked.save(update_fields=["pdf", "pdf_sha256"])
    return content


def render_pdf(report: QualityReport) -> bytes:
    document = HTML(string=render_html(report), base_url="static:", url_fetcher=static_only_fetcher)
    return document.write_pdf(stylesheets=[CSS(filename=str(CSS_FILE))], pdf_variant="pdf/ua-1")
