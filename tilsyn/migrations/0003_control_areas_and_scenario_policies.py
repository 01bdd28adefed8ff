"""Default control areas and scenario policies (Table 1). Administrators may edit both later."""

from __future__ import annotations

from django.db import migrations

CONTROL_AREAS = [
    ("hours_documented", "Bestilte timer er dokumenteret leveret"),
    ("progress_reports_on_time", "Progressionsrapporter er sendt rettidigt"),
    ("progress_report_content", "Progressionsrapporternes indhold lever op til kontrakten"),
    ("attendance", "Fremmøde og fravær er registreret korrekt"),
    ("premises", "De fysiske rammer på leveringsadressen"),
    ("legislation", "Overholdelse af lovgivning og administrative retningslinjer"),
    ("framework_agreement", "Overholdelse af rammeaftalen"),
]

POLICIES = [
    (1, None, [], []),
    (2, 30, ["dialogue_meeting", "guidance", "action_plan"], ["internal_control_visit"]),
    (3, 30, ["dialogue_meeting", "guidance", "action_plan", "referral_strategy"], ["mandatory_control", "unannounced_visits"]),
    (4, 7, ["referral_stop", "action_plan", "breach_case"], ["intensive"]),
]


def create(apps, schema_editor):
    ControlArea = apps.get_model("tilsyn", "ControlArea")
    for position, (code, label) in enumerate(CONTROL_AREAS, start=1):
        ControlArea.objects.get_or_create(code=code, defaults={"label": label, "position": position * 10})
    ScenarioPolicy = apps.get_model("tilsyn", "ScenarioPolicy")
    for scenario, days, measures, follow_ups in POLICIES:
        ScenarioPolicy.objects.get_or_create(
            scenario=scenario,
            defaults={"action_plan_days": days, "measures": measures, "follow_ups": follow_ups},
        )


class Migration(migrations.Migration):
    dependencies = [("tilsyn", "0002_supervision")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
