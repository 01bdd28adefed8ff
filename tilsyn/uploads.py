"""Uploaded PDFs: checked by content, stored under generated names, served through views that
check access. Nothing a user names reaches the file system."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

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


# Active content in a PDF (issue 14, item 6), by what it does; the labels name it to the user.
JAVASCRIPT, LAUNCH, AUTOMATIC, EMBEDDED, FORM_DATA = "javascript", "launch", "automatic", "embedded", "form_data"
ACTIVE_CONTENT_LABELS = {
    JAVASCRIPT: gettext_lazy("JavaScript"),
    LAUNCH: gettext_lazy("opening programs or other files (/Launch)"),
    AUTOMATIC: gettext_lazy("actions run on opening or on events (/OpenAction, /AA)"),
    EMBEDDED: gettext_lazy("embedded files"),
    FORM_DATA: gettext_lazy("sending or fetching form data"),
}
# Action types (the /S of an action dictionary) that run code, open something outside the PDF or
# move data; GoTo, URI links, Named (next page), Hide and the like stay.
ACTIVE_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Rendition": JAVASCRIPT,  # may carry a /JS script
    "/RichMediaExecute": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/GoToR": LAUNCH,  # opens another file, one on a network share included
    "/GoToE": EMBEDDED,
    "/SubmitForm": FORM_DATA,
    "/ImportData": FORM_DATA,
}
# Keys that hold active content wherever they are: document scripts, embedded files, XFA forms.
ACTIVE_KEYS = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/EmbeddedFiles": EMBEDDED,
    "/EF": EMBEDDED,
    "/XFA": FORM_DATA,
}


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _action_kinds(action) -> set[str]:
    """What an action (with the actions chained after it by /Next) does that is active content."""
    kinds: set[str] = set()
    pending, seen = [action], set()
    while pending:
        node = _resolved(pending.pop())
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ArrayObject):
            pending.extend(node)
        elif isinstance(node, DictionaryObject):
            kind = ACTIVE_ACTIONS.get(str(node.get("/S", "")))
            if kind:
                kinds.add(kind)
            if "/JS" in node:
                kinds.add(JAVASCRIPT)
            if str(_resolved(node.get("/URI", ""))).strip().lower().startswith("javascript:"):
                kinds.add(JAVASCRIPT)
            if "/Next" in node:
                pending.append(node["/Next"])
    return kinds


def _removal(key: str, value) -> set[str] | None:
    """The kinds of active content to remove with `key`, or None to keep it."""
    if key in ACTIVE_KEYS:
        return {ACTIVE_KEYS[key]}
    if key == "/AA":  # additional actions: run on page open/close, on focus, on keystroke...
        triggers = value.values() if isinstance(value, DictionaryObject) else []
        return {AUTOMATIC}.union(*(_action_kinds(action) for action in triggers))
    if key == "/OpenAction":
        # An array is a destination ("open at page 1"), as Word writes it; a GoTo likewise.
        kinds = _action_kinds(value)
        if isinstance(value, DictionaryObject) and (kinds or str(value.get("/S", "")) != "/GoTo"):
            return {AUTOMATIC, *kinds}
        return None
    if key in ("/A", "/Next"):
        return _action_kinds(value) or None
    return None


def strip_active_content(content: bytes) -> tuple[bytes, set[str]]:
    """The PDF without its active content, and the kinds removed (an empty set: `content` as it came).

    A file without active content is kept byte for byte (a signed report stays signed); one with
    it is rewritten by pypdf from every object reachable from its catalogue, scripts, launch and
    form-data actions, automatic actions and embedded files left out. Refusing instead would turn
    away reports that an office program exported with an innocent script in them.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    removed: set[str] = set()
    pending, seen = [writer.root_object], set()
    while pending:  # a loop, not recursion: a hostile file can nest deeper than Python's stack
        node = _resolved(pending.pop())
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ArrayObject):
            pending.extend(node)
        elif isinstance(node, DictionaryObject):
            for key in list(node.keys()):
                kinds = _removal(str(key), _resolved(node[key]))
                if kinds is None:
                    pending.append(node[key])
                else:
                    del node[key]
                    removed |= kinds
    if not removed:
        return content, removed
    # A writer keeps the objects cut off; cloning the written file again keeps only what is reachable.
    first, second = io.BytesIO(), io.BytesIO()
    writer.write(first)
    PdfWriter(clone_from=PdfReader(first)).write(second)
    return second.getvalue(), removed


def pdf_without_active_content(upload):
    """The upload to store: itself, or a rewritten copy without its active content. The result
    carries `active_content`, the kinds removed (see `active_content_message`)."""
    upload.seek(0)
    try:
        content, removed = strip_active_content(upload.read())
    except Exception as error:  # whatever pypdf trips on while rewriting, the file is no PDF we accept
        raise ValidationError(_("The file could not be read as a PDF. It may be damaged."), code="bad_pdf") from error
    finally:
        upload.seek(0)
    if removed:
        upload = SimpleUploadedFile(upload.name, content, content_type="application/pdf")
    upload.active_content = sorted(removed, key=list(ACTIVE_CONTENT_LABELS).index)
    return upload


def active_content_message(upload) -> str | None:
    """What the user is told when active content was removed from their PDF, or None."""
    kinds = getattr(upload, "active_content", None)
    if not kinds:
        return None
    labels = ", ".join(str(ACTIVE_CONTENT_LABELS[kind]) for kind in kinds)
    return _("The file contained active content (%(kinds)s), which has been removed.") % {"kinds": labels}


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
    """A download that browsers do not sniff, its name safely encoded (that neither browsers nor
    proxies keep it is `security.NoStoreMiddleware`'s, for every response). `content` is bytes or
    an open binary file."""
    if isinstance(content, bytes):
        content = io.BytesIO(content)
    response = FileResponse(content, as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
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
