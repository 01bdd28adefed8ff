"""The PDF's URL fetcher (issue 14, item 5): WeasyPrint 70's `URLFetcher` API, the app's own static
files only."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from kvalitet.models import Complaint
from kvalitet.periods import HalfYear
from leverandoer.tests import factories as provider_factories
from rapporter import services
from rapporter.pdf import CSS_FILE, render_pdf, static_only_fetcher

ALLOWED = {
    "static:tilsyn/favicon.svg": "image/svg+xml",
    "static:tilsyn/app.css": "text/css",
    "/static/tilsyn/app.css": "text/css",  # as {% static %} writes it
    "static:rapporter/pdf/report.css": "text/css",  # the print CSS beside the PDF templates
}
REFUSED = [
    "file:///etc/passwd",
    "https://example.org/logo.png",
    "http://localhost:8000/static/tilsyn/app.css",
    "ftp://example.org/x",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:text/html,<script>alert(1)</script>",
    "static:../../etc/passwd",
    "static:tilsyn/../../tilsyn/settings.py",
    "static:rapporter/pdf/../../../tilsyn/settings.py",
    "static:rapporter/pdf/%2e%2e/%2e%2e/%2e%2e/tilsyn/settings.py",
    "static:rapporter/pdf/report.html",  # a template is not a print asset
    "static:/etc/passwd",
    "static:tilsyn\\..\\..\\manage.py",
    "static:tilsyn/app.css%00.png",
    "static:",
    "static:tilsyn/does-not-exist.css",
    "/etc/passwd",
    "report.css",
]


def test_the_fetcher_follows_weasyprint_70s_api():
    assert isinstance(static_only_fetcher, URLFetcher)


@pytest.mark.parametrize(("url", "content_type"), ALLOWED.items())
def test_the_apps_own_static_files_are_served(url, content_type):
    response = static_only_fetcher.fetch(url)
    assert isinstance(response, URLFetcherResponse)
    assert response.content_type == content_type
    assert len(response.read()) > 0


def test_the_print_css_is_the_file_beside_the_templates():
    assert static_only_fetcher.fetch("static:rapporter/pdf/report.css").read() == CSS_FILE.read_bytes()


@pytest.mark.parametrize("url", REFUSED)
def test_every_other_address_is_refused(url):
    with pytest.raises(URLFetchingError, match="Refused to fetch"):
        static_only_fetcher.fetch(url)


def test_a_rendered_pdf_uses_static_urls_and_leaves_refused_ones_out(caplog):
    html = """<html lang="da"><head><title>Prøve</title>
      <link rel="stylesheet" href="static:rapporter/pdf/report.css">
      <link rel="stylesheet" href="file:///etc/passwd"></head>
      <body><h1>Kvalitetsrapport</h1><img src="static:tilsyn/favicon.svg" alt="logo">
      <img src="https://example.org/spy.png" alt="spion"><img src="static:../../etc/passwd" alt="x"></body></html>"""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = HTML(string=html, base_url="static:", url_fetcher=static_only_fetcher).write_pdf()
    failed = [record.getMessage() for record in caplog.records if record.name == "weasyprint"]
    assert not [message for message in failed if "static:rapporter" in message or "static:tilsyn" in message]
    assert len([message for message in failed if "Refused to fetch" in message]) == 3
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Kvalitetsrapport" in text


@pytest.mark.django_db
def test_the_quality_report_pdf_still_renders_its_text(personas, caplog):
    provider = provider_factories.provider(ref="LEV-0100", name="Rød ApS")
    for n in range(3):
        Complaint.objects.create(
            ref=f"K-{n}",
            provider=provider,
            kind="formality",
            received_on=date(2025, 1, 5),
            decision="upheld",
            decided_on=date(2025, 2, 1),
        )
    report = services.compile_now(period=HalfYear(2025, 1), by=personas["contract_manager"])
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = render_pdf(report)
    assert not [record for record in caplog.records if "Failed to load" in record.getMessage()]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Rød ApS (LEV-0100)" in text
