"""Reminders: exactly one e-mail per due item per person per day, however often the task runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from leverandoer.tests import factories as provider_factories
from tilsyn import celery_app, services
from tilsyn.models import ActionPlan, FollowUp, Inspection, ReminderLog
from tilsyn.tasks import send_reminders
from tilsyn.tests import factories
from tilsyn.tests.mail_backends import FailOnceAfterBackend

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 10)


@pytest.fixture
def due_items(personas):
    """An action plan due in 3 days, an overdue follow-up, a report deadline in 2 days, and items
    not yet due (a plan due in 30 days, a received plan, a submitted report)."""
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    manager.email, inspector.email = "karin@tilsyn.example.dk", "ida@tilsyn.example.dk"
    manager.save()
    inspector.save()
    provider = provider_factories.provider(contract_manager=manager)
    assessed = factories.submitted(performer=inspector, provider=provider, findings=[("premises", "red")])
    assessment = services.assessment_confirm(
        inspection=assessed, scenario=3, justification="", by=manager, decided_on=TODAY - timedelta(days=27)
    )
    assert assessment.action_plan.deadline == TODAY + timedelta(days=3)
    FollowUp.objects.filter(assessment=assessment).update(due_on=TODAY - timedelta(days=1))
    FollowUp.objects.filter(assessment=assessment).exclude(kind="mandatory_control").update(done_on=TODAY)
    later = factories.submitted(performer=inspector, provider=provider)
    services.assessment_confirm(inspection=later, scenario=2, justification="", by=manager, decided_on=TODAY)
    factories.inspection(performer=inspector, provider=provider, report_deadline=TODAY + timedelta(days=2))
    factories.inspection(
        performer=inspector, provider=provider, report_deadline=TODAY, status=Inspection.Status.SUBMITTED
    )
    return manager, inspector


@pytest.mark.usefixtures("due_items")
def test_one_email_per_due_item_and_none_on_a_second_run(mailoutbox):
    assert services.reminders_send(today=TODAY) == 3
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ida@tilsyn.example.dk",
        "karin@tilsyn.example.dk",
        "karin@tilsyn.example.dk",
    ]
    subjects = sorted(message.subject for message in mailoutbox)
    assert any("handleplanen" in subject for subject in subjects)
    assert any("opfølgningen" in subject.lower() for subject in subjects)
    assert any("rapporten" in subject for subject in subjects)
    assert services.reminders_send(today=TODAY) == 0
    assert len(mailoutbox) == 3


@pytest.mark.usefixtures("due_items")
def test_the_next_day_reminds_again_about_what_is_still_due(mailoutbox):
    services.reminders_send(today=TODAY)
    assert services.reminders_send(today=TODAY + timedelta(days=1)) == 3
    assert len(mailoutbox) == 6


@pytest.mark.usefixtures("due_items")
def test_a_received_plan_and_done_follow_ups_are_not_reminded(mailoutbox):
    ActionPlan.objects.update(status=ActionPlan.Status.RECEIVED)
    FollowUp.objects.update(done_on=TODAY)
    assert services.reminders_send(today=TODAY) == 1
    assert mailoutbox[0].to == ["ida@tilsyn.example.dk"]


@pytest.mark.usefixtures("due_items")
def test_a_crash_half_way_sends_no_duplicates_on_the_retry(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tilsyn.tests.mail_backends.FailOnceAfterBackend"
    FailOnceAfterBackend._count, FailOnceAfterBackend._failed = 0, False
    with pytest.raises(services.ReminderFailures) as raised:
        services.reminders_send(today=TODAY)
    # The failing e-mail did not stop the others; it released its claim for the retry.
    assert (raised.value.sent, len(raised.value.failures)) == (2, 1)
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.count() == 2
    assert services.reminders_send(today=TODAY) == 1
    assert len(mail.outbox) == 3
    keys = [(log.kind, log.object_id, log.recipient_id) for log in ReminderLog.objects.all()]
    assert len(keys) == len(set(keys)) == 3


@pytest.mark.usefixtures("due_items")
def test_an_overdue_item_says_so_in_the_subject(mailoutbox):
    services.reminders_send(today=TODAY)
    follow_up = next(message for message in mailoutbox if "opfølgningen" in message.subject.lower())
    assert "er overskredet" in follow_up.subject


def test_the_task_retries_failed_reminders():
    assert services.ReminderFailures in send_reminders.autoretry_for


def test_the_task_is_scheduled_every_morning():
    entry = celery_app.conf.beat_schedule["reminders-every-morning"]
    assert entry["task"] == send_reminders.name == "tilsyn.tasks.send_reminders"
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {0}
