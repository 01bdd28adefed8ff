"""Logging filters: no CPR number reaches the log output, and a refused request is one line.

Our own code logs keys, never free text; but a message can still carry what a user typed, e.g.
django.request's "Not Found: /klager/010190-1234/" for an address someone typed by hand, or the
development server's request line with a search's query string, percent-encoded as the browser sent
it ("GET /klager/?q=0101%2D90%201234"). `MaskCprFilter` sits on the handler that writes the log (see
LOGGING in tilsyn/settings.py), so it covers every logger that propagates to it: django.request,
django.server, celery, axes, our own.

`OneLineClientErrorFilter` sits on the django.request logger: a 4xx (403 for a role without
access, 404 for an object out of reach) is what the app is meant to answer, so it is one line for
the log's reader, not a warning with the traceback of the PermissionDenied or Http404 behind it.
"""

from __future__ import annotations

import logging
import re

from .validators import cpr_spans, mask_cpr

_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}|\\x[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\+")


def _decoded(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """`text` as a reader would see it: percent-encoding (UTF-8) and `+` decoded, as in a query
    string, and the \\xa0 and \\u2011 escapes django.request writes for non-ASCII in a path. Returns
    the decoded characters and, for each, the span of `text` it came from."""
    chars: list[str] = []
    sources: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "%" and len(text[i + 1 : i + 3]) == 2 and set(text[i + 1 : i + 3]) <= _HEX:
            encoded = []  # a run of %XX: UTF-8 bytes, decoded character by character
            j = i
            while j + 2 < n and text[j] == "%" and set(text[j + 1 : j + 3]) <= _HEX:
                encoded.append(int(text[j + 1 : j + 3], 16))
                j += 3
            k = 0
            while k < len(encoded):
                for size in (1, 2, 3, 4):
                    try:
                        decoded = bytes(encoded[k : k + size]).decode("utf-8")
                    except UnicodeDecodeError:
                        continue
                    break
                else:
                    decoded, size = "\ufffd", 1
                chars.append(decoded)
                sources.append((i + 3 * k, i + 3 * (k + size)))
                k += size
            i = j
        elif char == "\\" and (match := _ESCAPED.match(text, i)):
            chars.append(chr(int(match.group()[2:], 16)))
            sources.append(match.span())
            i = match.end()
        else:
            chars.append(" " if char == "+" else char)
            sources.append((i, i + 1))
            i += 1
    return chars, sources


def mask_cpr_in_log(text: str) -> str:
    """`text` with every CPR number masked, also one written percent-encoded or escaped: the
    matching reads a decoded copy, the masking replaces each digit where it stands, encoded or not
    (0101%2D90%201234 becomes XXXX%2DXX%20XXXX, %30 for a 0 becomes X)."""
    if not any(char.isdigit() for char in text):
        return text
    if "%" not in text and "+" not in text and "\\" not in text:
        return mask_cpr(text)
    chars, sources = _decoded(text)
    spans = cpr_spans("".join(chars))
    if not spans:
        return text
    digits_to_mask = {index for start, end in spans for index in range(start, end) if chars[index].isdigit()}
    return "".join("X" if index in digits_to_mask else text[start:end] for index, (start, end) in enumerate(sources))


class MaskCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if (masked := mask_cpr_in_log(message)) != message:  # the text changes only if it held one
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_cpr_in_log(record.exc_text)
        return True


class OneLineClientErrorFilter(logging.Filter):
    """A 4xx from django.request becomes one line without traceback: Django's reason, the path (CPR
    masked), method, status and user id ("-" for anonymous), e.g. "Forbidden (Permission denied):
    /tilsyn/ (GET 403, user 7)". The query string is left out: it is what a person typed. A 5xx
    keeps its message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500 or request is None:
            return True
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "-"
        reason = _reason(record)
        record.msg = "%s: %s (%s %s, user %s)"
        record.args = (reason, mask_cpr(request.path), request.method, status, user_id)
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def _reason(record: logging.LogRecord) -> str:
    """Django's words before the path: "Not Found", "Forbidden (CSRF token missing.)"."""
    template, args = str(record.msg), record.args if isinstance(record.args, tuple) else ()
    if not template.endswith(": %s") or not args:
        return "Refused"
    try:
        return template[:-4] % args[:-1]
    except (TypeError, ValueError):
        return "Refused"
