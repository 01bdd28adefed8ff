"""E-mails the supervision domain sends."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Inspection


def inspection_assigned(*, inspection_id: int) -> bool:
    """Tell the assigned inspector about the visit. The mail names no citizen."""
    inspection = Inspection.objects.select_related("provider", "performer").filter(pk=inspection_id).first()
    if inspection is None or not inspection.performer.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "inspection": inspection,
            "url": settings.SITE_URL + reverse("tilsyn:inspection_detail", args=[inspection.ref]),
        }
        subject = render_to_string("tilsyn/email/inspection_assigned_subject.txt", context).strip()
        body = render_to_string("tilsyn/email/inspection_assigned.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [inspection.performer.email])
    return True
