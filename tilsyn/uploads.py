"""Uploaded PDFs: checked by content, stored under generated names, served through views that
check access. Nothing a user names reaches the file system."""

from __future__ import annotations

import io
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

PDF_MAGIC = b"%PDF-"


def validate_pdf(upload) -> None:
    """A non-empty PDF within the size limit that pypdf can open and count the pages of."""
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": number_format(upload.size / 1024 / 1024, 1), "limit": settings.UPLOAD_MAX_MB},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(_("The file is not a PDF. Upload it as a PDF file."), code="not_pdf")
    try:
        pages = len(PdfReader(upload).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationError(_("The file could not be read as a PDF. It may be damaged."), code="bad_pdf") from error
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="no_pages")


def display_name(name: str, *, limit: int = 150) -> str:
    """The uploaded file's own name, made safe to show and to offer for download again."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    cleaned = cleaned.strip(" .") or "dokument.pdf"
    if not cleaned.lower().endswith(".pdf"):
        cleaned += ".pdf"
    return cleaned[-limit:]


def download(file_field, filename: str) -> FileResponse:
    """Serve a stored PDF as an attachment (see `attachment`)."""
    return attachment(file_field.open("rb"), filename=filename, content_type="application/pdf")


def attachment(content, *, filename: str, content_type: str) -> FileResponse:
    """A download that neither browsers nor proxies keep or sniff, its name safely encoded.
    `content` is bytes or an open binary file."""
    if isinstance(content, bytes):
        content = io.BytesIO(content)
    response = FileResponse(content, as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
