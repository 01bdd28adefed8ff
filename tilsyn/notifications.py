"""E-mails the supervision domain sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import ActionPlan, FollowUp, Inspection, ReminderLog


def inspection_assigned(*, inspection_id: int) -> bool:
    """Tell the assigned inspector about the visit. The mail names no citizen."""
    inspection = Inspection.objects.select_related("provider", "performer").filter(pk=inspection_id).first()
    if inspection is None or inspection.performer is None or not inspection.performer.email:
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


@dataclass(frozen=True)
class Reminder:
    kind: str  # ReminderLog.Kind
    object_id: int
    recipient: object
    topic: str  # which subject line and paragraph: "action_plan", "follow_up" or "report"
    template: str
    context: dict


REMIND_DAYS_AHEAD = 7


def due_reminders(*, today: date) -> list[Reminder]:
    """Action plans and follow-ups due within 7 days or overdue, and report deadlines, in three queries."""
    horizon = today + timedelta(days=REMIND_DAYS_AHEAD)
    reminders = []
    plans = ActionPlan.objects.filter(status=ActionPlan.Status.DEMANDED, deadline__lte=horizon).select_related(
        "provider__contract_manager", "assessment__inspection"
    )
    for plan in plans:
        manager = plan.provider.contract_manager
        if manager and manager.is_active and manager.email:
            reminders.append(
                Reminder(
                    ReminderLog.Kind.ACTION_PLAN,
                    plan.pk,
                    manager,
                    "action_plan",
                    "tilsyn/email/reminder.txt",
                    {
                        "what": plan,
                        "due": plan.deadline,
                        "provider": plan.provider,
                        "url": reverse("tilsyn:action_plan_edit", args=[plan.pk]),
                    },
                )
            )
    follow_ups = FollowUp.objects.filter(done_on__isnull=True, due_on__lte=horizon).select_related(
        "assessment__inspection__provider__contract_manager", "case__provider__contract_manager"
    )
    for follow_up in follow_ups:
        # A follow-up belongs to an inspection's assessment, or (decided in a half-year) to a case.
        owner = follow_up.assessment.inspection if follow_up.assessment_id else follow_up.case
        manager = owner.provider.contract_manager
        if manager and manager.is_active and manager.email:
            reminders.append(
                Reminder(
                    ReminderLog.Kind.FOLLOW_UP,
                    follow_up.pk,
                    manager,
                    "follow_up",
                    "tilsyn/email/reminder.txt",
                    {
                        "what": follow_up,
                        "due": follow_up.due_on,
                        "provider": owner.provider,
                        "url": owner.get_absolute_url(),
                    },
                )
            )
    reports = Inspection.objects.filter(
        status__in=[Inspection.Status.PLANNED, Inspection.Status.PERFORMED],
        submitted_at__isnull=True,
        report_deadline__lte=horizon,
    ).select_related("provider", "performer")
    for inspection in reports:
        if inspection.performer and inspection.performer.is_active and inspection.performer.email:
            reminders.append(
                Reminder(
                    ReminderLog.Kind.REPORT,
                    inspection.pk,
                    inspection.performer,
                    "report",
                    "tilsyn/email/reminder.txt",
                    {
                        "what": inspection,
                        "due": inspection.report_deadline,
                        "provider": inspection.provider,
                        "url": inspection.get_absolute_url(),
                    },
                )
            )
    return reminders


SUBJECTS = {
    "action_plan": _("Tilsyn: the action plan from %(provider)s is due %(due)s"),
    "follow_up": _("Tilsyn: follow-up of %(provider)s is due %(due)s"),
    "report": _("Tilsyn: the report on %(provider)s is due %(due)s"),
}
OVERDUE_SUBJECTS = {
    "action_plan": _("Tilsyn: the action plan from %(provider)s is overdue (deadline %(due)s)"),
    "follow_up": _("Tilsyn: follow-up of %(provider)s is overdue (deadline %(due)s)"),
    "report": _("Tilsyn: the report on %(provider)s is overdue (deadline %(due)s)"),
}


def send_reminder(reminder: Reminder) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **reminder.context,
            "recipient": reminder.recipient,
            "kind": reminder.topic,
            "today": timezone.localdate(),
            "url": settings.SITE_URL + reminder.context["url"],
        }
        due = formats.date_format(reminder.context["due"], "j. F Y")
        subjects = OVERDUE_SUBJECTS if reminder.context["due"] < context["today"] else SUBJECTS
        subject = subjects[reminder.topic] % {"provider": reminder.context["provider"].name, "due": due}
        body = render_to_string(reminder.template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.recipient.email])
