"""The iCalendar feed of planned inspections, per user.

Who sees what: an external inspector only the inspections assigned to them; the municipality's
own staff (contract managers, administrators) those they perform and those of the providers they
manage. Nobody else has a feed. Unannounced visits therefore reach no one outside the
municipality but the assigned inspector, and the feed names no citizen.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from leverandoer.access import STAFF, Role, has_role

from .models import Inspection

FEED_ROLES = STAFF | {Role.INSPECTOR}


def feed_inspections(user) -> QuerySet[Inspection]:
    planned = Inspection.objects.filter(status=Inspection.Status.PLANNED).select_related("provider")
    if has_role(user, *STAFF):
        return planned.filter(Q(performer=user) | Q(provider__contract_manager=user))
    if has_role(user, Role.INSPECTOR):
        return planned.filter(performer=user)
    return planned.none()


def feed_ics(user) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Tilsyn//Planlagte tilsyn//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Tilsyn")
    with translation.override(settings.LANGUAGE_CODE):
        for inspection in feed_inspections(user):
            event = Event()
            event.add("uid", f"{inspection.ref}@tilsyn")
            event.add("dtstamp", timezone.now())
            event.add("dtstart", inspection.planned_on)
            event.add("dtend", inspection.planned_on + timedelta(days=1))
            announced = _("announced") if inspection.announced else _("unannounced")
            event.add(
                "summary",
                f"{_('Inspection')}: {inspection.provider.name} ({inspection.get_method_display()}, {announced})",
            )
            event.add(
                "description",
                f"{inspection.ref} – {inspection.get_kind_display()}\n"
                f"{settings.SITE_URL}{inspection.get_absolute_url()}",
            )
            if inspection.provider.address:
                event.add("location", inspection.provider.address)
            calendar.add_component(event)
    return calendar.to_ical()
