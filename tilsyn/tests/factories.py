"""Factories for supervision tests; real PDFs made with pypdf."""

from __future__ import annotations

import io
import itertools
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from leverandoer.tests import factories as provider_factories
from tilsyn.models import ControlArea, Finding, Inspection

_numbers = itertools.count(1)


def pdf_bytes(text: str = "Tilsynsrapport") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "rapport.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


def inspection(*, performer, created_by=None, **fields) -> Inspection:
    number = next(_numbers)
    defaults = {
        "ref": f"INS-T-{number:04d}",
        "planned_on": date(2025, 3, 1),
        "method": Inspection.Method.VISIT,
        "kind": Inspection.Kind.ANNUAL_BASE,
    }
    defaults.update(fields)
    if "provider" not in defaults:
        defaults["provider"] = provider_factories.provider()
    return Inspection.objects.create(performer=performer, created_by=created_by or performer, **defaults)


def finding(inspection: Inspection, area: str, rating: str, **fields) -> Finding:
    return Finding.objects.create(
        inspection=inspection, control_area=ControlArea.objects.get(code=area), rating=rating, **fields
    )


def submitted(*, performer, performed_on: date = date(2025, 3, 3), findings=(("premises", "yellow"),), **fields):
    """A submitted inspection with the given (area, rating) findings."""
    row = inspection(performer=performer, performed_on=performed_on, status=Inspection.Status.SUBMITTED, **fields)
    for area, rating in findings:
        finding(row, area, rating)
    return row
