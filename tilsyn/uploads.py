"""Uploaded PDFs: checked by content, stored under generated names, served through views that
check access. Nothing a user names reaches the file system."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"
WINDOWS_FORBIDDEN = str.maketrans(dict.fromkeys('<>:"/\\|?*', "_"))
# Control, format (direction marks), private-use and unassigned characters, and line breaks.
INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Spaces and dots at either end of a name.
EDGES = re.compile(r"^[\s.]+|[\s.]+$")


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
    except Exception as error:  # whatever the parser trips on, the file is no PDF we accept
        raise ValidationError(_("The file could not be read as a PDF. It may be damaged."), code="bad_pdf") from error
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="no_pages")


def display_name(name: str, *, limit: int = 150) -> str:
    """The uploaded file's own name, made safe to show and to offer for download again: no folder
    part, no control or direction characters (a right-to-left override, U+202E, can make
    "rapport<RLO>fdp.exe" look like "rapportexe.pdf"), ending in .pdf, at most `limit` characters
    with the start kept."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = "".join(char for char in base if unicodedata.category(char) not in INVISIBLE)
    # Characters Windows forbids in file names become "_", so the name saves as it is shown and
    # needs no escaping in the Content-Disposition header.
    cleaned = cleaned.translate(WINDOWS_FORBIDDEN).strip()
    if cleaned.lower().endswith(".pdf"):
        cleaned = cleaned[:-4]
    stem = EDGES.sub("", EDGES.sub("", cleaned)[: limit - 4]) or "dokument"
    return f"{stem}.pdf"


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


def largest_upload() -> int:
    """The most bytes any upload form accepts for one file (visit reports, action plans, imports)."""
    return max(settings.UPLOAD_MAX_MB, settings.IMPORT_MAX_MB) * 1024 * 1024


class UploadTooLarge(SuspiciousOperation):
    """A request carrying more than any form accepts; `size` is its length in bytes."""

    def __init__(self, size: int):
        super().__init__(f"Upload of {size} bytes refused")
        self.size = size


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Refuse a request larger than any upload form accepts before its body is read, so nobody can
    fill the disk with a giant upload. Django reads no more of the body than its Content-Length,
    so checking that is enough. The forms' own limits (UPLOAD_MAX_MB, IMPORT_MAX_MB) then give
    their exact messages below it."""

    # Room for the form fields and multipart framing beside the largest file.
    SLACK = 1024 * 1024

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > largest_upload() + self.SLACK:
            raise UploadTooLarge(content_length)
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)
