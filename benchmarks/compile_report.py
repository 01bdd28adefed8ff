"""Compile time and peak memory of the half-year report at Copenhagen and national scale, beside the
time PostgreSQL takes for the bare aggregate queries over the same rows; then the committee PDF of
that version (WeasyPrint: time, pages, memory) beside Chromium's print-to-PDF of the same HTML.

Needs PostgreSQL (a throw-away database is created and dropped):

    .venv/bin/python benchmarks/compile_report.py            # Copenhagen scale
    .venv/bin/python benchmarks/compile_report.py --national # ×20

Prints a table; record the figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "tilsyn_benchmark"
os.environ["DATABASE_URL"] = f"{PG}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tilsyn.settings")

SCALES = {
    "copenhagen": {"providers": 150, "offers": 500, "reports": 100_000, "surveys": 20_000, "complaints": 5_000},
    "national": {"providers": 3_000, "offers": 10_000, "reports": 2_000_000, "surveys": 400_000, "complaints": 100_000},
}


def recreate_database() -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}"):
        subprocess.run(["psql", PG + "/postgres", "-qc", sql], check=True)  # noqa: S603,S607


def generate(scale: dict, rng: random.Random) -> None:
    from kvalitet.models import Complaint, HoursRecord, ProgressReport, SurveyResponse
    from leverandoer.models import Offer, OfferType, Provider, TargetGroup

    types, groups = list(OfferType.objects.all()), list(TargetGroup.objects.all())
    from leverandoer.models import FrameworkAgreement
    from tilsyn.models import ControlArea, Finding, Inspection

    Provider.objects.bulk_create(
        Provider(ref=f"B-{n:05d}", name=f"Leverandør {n}", kind="anden_aktoer", cvr="10150817")
        for n in range(scale["providers"])
    )
    providers = list(Provider.objects.values_list("pk", flat=True))
    FrameworkAgreement.objects.bulk_create(
        FrameworkAgreement(provider_id=pk, title="Rammeaftale", starts_on=date(2024, 1, 1), ends_on=date(2027, 12, 31))
        for pk in providers
    )
    methods = ["visit", "data_check", "case_review"]
    Inspection.objects.bulk_create(
        Inspection(
            ref=f"BI-{n:06d}",
            provider_id=pk,
            method=methods[n % 3],
            announced=bool(n % 2),
            planned_on=date(2025, 1 + n % 12, 10),
            performed_on=date(2025, 1 + n % 12, 10),
            status="submitted",
        )
        for n, pk in enumerate(providers)
    )
    areas = list(ControlArea.objects.all()[:3])
    Finding.objects.bulk_create(
        Finding(inspection_id=pk, control_area=area, rating=rng.choice(("green", "green", "yellow", "red")))
        for pk in Inspection.objects.values_list("pk", flat=True)
        for area in areas
    )
    Offer.objects.bulk_create(
        Offer(
            ref=f"BT-{n:06d}",
            name=f"Tilbud {n}",
            provider_id=providers[n % len(providers)],
            offer_type=types[n % len(types)],
            target_group=groups[n % len(groups)],
        )
        for n in range(scale["offers"])
    )
    offers = list(Offer.objects.values_list("pk", flat=True))
    start = date(2025, 1, 1)
    batch = 20_000

    def chunks(make, total):
        for first in range(0, total, batch):
            yield [make(n) for n in range(first, min(first + batch, total))]

    for rows in chunks(
        lambda n: ProgressReport(
            offer_id=offers[n % len(offers)],
            citizen_ref=f"B-{n}",
            due_date=start + timedelta(days=n % 360),
            submitted_date=start + timedelta(days=n % 360 + rng.choice((0, 0, 0, 3))) if n % 20 else None,
        ),
        scale["reports"],
    ):
        ProgressReport.objects.bulk_create(rows)
    for rows in chunks(
        lambda n: SurveyResponse(
            offer_id=offers[n % len(offers)], answered_on=start + timedelta(days=n % 360), score=1 + n % 5
        ),
        scale["surveys"],
    ):
        SurveyResponse.objects.bulk_create(rows)
    for rows in chunks(
        lambda n: Complaint(
            ref=f"BK-{n:07d}",
            provider_id=providers[n % len(providers)],
            kind="formality",
            received_on=start + timedelta(days=n % 330),
            decision=rng.choice(("upheld", "not_upheld", "dismissed", "")),
            decided_on=start + timedelta(days=n % 330 + 10),
        ),
        scale["complaints"],
    ):
        for complaint in rows:
            if not complaint.decision:
                complaint.decided_on = None
        Complaint.objects.bulk_create(rows)
    for rows in chunks(
        lambda n: HoursRecord(
            offer_id=offers[n % len(offers)],
            order_ref=f"BO-{n}",
            period_start=date(2025, 1 + n % 12, 1),
            period_end=date(2025, 1 + n % 12, 28),
            ordered_hours=Decimal(100),
            delivered_hours=Decimal(95 + n % 6),
        ),
        len(offers) * 12,
    ):
        HoursRecord.objects.bulk_create(rows)


def bare_aggregates(period) -> float:
    """The aggregate queries alone, as PostgreSQL runs them, without building the report."""
    from kvalitet.figures import complaint_counts, offer_sums, spot_check_compliance

    started = time.perf_counter()
    for _ in range(2):  # the compile looks at this half-year and the previous one
        offer_sums(period=period)
        complaint_counts(period=period)
        spot_check_compliance(period=period)
    return time.perf_counter() - started


def pdf_figures(period, data: dict) -> None:
    """The committee PDF of the compiled version, and Chromium's print-to-PDF of the same HTML."""
    import io
    import tempfile

    from pypdf import PdfReader

    from rapporter import pdf
    from rapporter.compile import digest
    from rapporter.models import QualityReport

    report = QualityReport.objects.create(period=period.report_code, version=1, sha256=digest(data), data=data)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    content = pdf.render_pdf(report)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = len(PdfReader(io.BytesIO(content)).pages)
    print(f"PDF (WeasyPrint, PDF/UA): {seconds:.2f} s, {pages} pages, {len(content) / 1024:.0f} KB")
    print(f"peak memory of the process after the PDF: {peak:.0f} MB (before: {before:.0f} MB)")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        print(f"Chromium print-to-PDF: skipped, {chromium} is missing")
        return
    html = pdf.render_html(report)
    css = pdf.CSS_FILE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(html.replace("</head>", f"<style>{css}</style></head>", 1), encoding="utf-8")
        out = Path(folder) / "chromium.pdf"
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        chromium_seconds = time.perf_counter() - started
        chromium_pages = len(PdfReader(out).pages)
    print(
        f"Chromium print-to-PDF of the same HTML: {chromium_seconds:.2f} s (browser start included), {chromium_pages} pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--national", action="store_true")
    args = parser.parse_args()
    name = "national" if args.national else "copenhagen"
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    from kvalitet.periods import HalfYear
    from rapporter import compile as compiler

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(SCALES[name], random.Random(1))
    generated = time.perf_counter() - started
    period = HalfYear(2025, 2)  # H2: with the annual supervision section
    aggregates = bare_aggregates(period)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    data = compiler.build(period=period)
    compile_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale: {name} {SCALES[name]}")
    print(f"generated in {generated:.1f} s")
    print(f"providers in report: {len(data['providers'])}")
    print(f"bare aggregate queries: {aggregates:.2f} s")
    print(f"compile: {compile_seconds:.2f} s ({compile_seconds / aggregates:.1f}× the bare queries)")
    print(f"peak memory of the process: {peak_mb:.0f} MB (before compiling: {before / 1024:.0f} MB)")
    pdf_figures(period, data)
    from django.db import connections

    connections.close_all()
    subprocess.run(["psql", PG + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True)  # noqa: S603,S607


if __name__ == "__main__":
    main()
