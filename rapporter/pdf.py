"""The committee's PDF (WeasyPrint, A4, Danish, tagged PDF/UA). Fetches nothing but the app's own
static files: user text is rendered as text, never followed."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from kvalitet.scoring import TRACKS
from tilsyn.models import Measure, ScenarioPolicy

from . import charts, services, summary, suppression
from .models import Publication, QualityReport

CSS_FILE = Path(settings.BASE_DIR) / "templates" / "rapporter" / "pdf" / "report.css"


# Print assets kept beside the PDF templates (STYLE: "print CSS beside them") are served under
# `static:rapporter/pdf/<name>` as if they were static files; only these kinds of file.
PDF_ASSETS = Path(settings.BASE_DIR) / "templates" / "rapporter" / "pdf"
PDF_ASSET_PREFIX = "rapporter/pdf/"
PDF_ASSET_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".woff", ".woff2", ".ttf", ".otf"}


def static_name(url: str) -> str | None:
    """The static file name a PDF URL asks for, or None when it is not one of ours.

    Accepted: `static:<name>` (the templates' own form) and `/static/<name>` as `{% static %}`
    writes it. Everything else is refused: `file:`, `http(s):` (a report has no host of its own to
    trust), `data:` (no template needs one; charts are inline SVG), and any name that climbs out
    of the static folders (`..`, an absolute path, a backslash, a NUL).
    """
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    if url.startswith("static:"):
        name = url.removeprefix("static:")
    elif url.startswith(static_url):
        name = url.removeprefix(static_url)
    else:
        return None
    name = unquote(name.split("?", 1)[0].split("#", 1)[0])
    if not name or "\\" in name or "\0" in name or name.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return name


def static_path(url: str) -> Path | None:
    """The file on disk a PDF URL resolves to, found by Django's static finders (or, for
    `rapporter/pdf/`, beside the PDF templates), or None when the URL is refused."""
    name = static_name(url)
    if name is None:
        return None
    if name.startswith(PDF_ASSET_PREFIX):
        candidate = (PDF_ASSETS / name.removeprefix(PDF_ASSET_PREFIX)).resolve()
        inside = candidate.is_relative_to(PDF_ASSETS.resolve())
        if inside and candidate.suffix in PDF_ASSET_SUFFIXES and candidate.is_file():
            return candidate
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found and Path(found).is_file() else None


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint 70's fetcher, serving the app's own static files and nothing else.

    WeasyPrint 70 expects a `URLFetcher` whose `fetch()` returns a `URLFetcherResponse`: the plain
    function returning a dict that stood here answered every `static:` URL with an assertion error
    and every refused one with an AttributeError inside WeasyPrint. A refused URL raises from
    `fetch()`, which is how the API says "not found": WeasyPrint logs it and leaves the resource out.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            raise URLFetchingError(f"Refused to fetch {url[:100]!r}: reports fetch only the app's own static files.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# Stateless (its `fetch` keeps nothing between calls), so one instance serves every render.
static_only_fetcher = StaticOnlyFetcher()


def _measures(row: dict, policies: dict) -> list[str]:
    """The measures of the decided scenario: as frozen in the snapshot when the decision is the
    proposal; for an override, the decided scenario's policy through the same filter for own
    centres (`ScenarioPolicy.measures_for`)."""
    if row["scenario"] == row.get("proposed_scenario") and "measures" in row:
        return row["measures"]
    policy = policies.get(row["scenario"])
    return policy.measures_for(internal=row.get("kind") == "internal") if policy else []


def render_html(report: QualityReport) -> str:
    """The PDF's HTML, in the site's language (Danish) whoever asks."""
    with translation.override(settings.LANGUAGE_CODE):
        # The committee's document: small numbers withheld whoever downloads it (issue 13).
        public = suppression.public(report.data, services.effective_rows(report))
        rows = public.rows
        measure_labels = dict(Measure.Kind.choices)
        # The measures follow the scenario decided (an override may differ from the proposal).
        policies = {policy.scenario: policy for policy in ScenarioPolicy.objects.all()}
        standing_out = [
            {
                **row,
                "measure_labels": [str(measure_labels.get(code, code)) for code in _measures(row, policies)],
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
