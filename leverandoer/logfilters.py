"""A logging filter that masks CPR numbers, so that none reaches the log output.

Our own code logs keys, never free text; but a message can still carry what a user typed, e.g.
django.request's "Not Found: /klager/010190-1234/" for an address someone typed by hand. The filter
sits on the handler that writes the log (see LOGGING in tilsyn/settings.py), so it covers every
logger that propagates to it: django.request, celery, our own.
"""

from __future__ import annotations

import logging

from .validators import mask_cpr


class MaskCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if (masked := mask_cpr(message)) != message:  # one search: the text changes only if it held one
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_cpr(record.exc_text)
        return True
