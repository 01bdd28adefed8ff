"""Default checklist items for case-handling spot checks (editable afterwards)."""

from __future__ import annotations

from django.db import migrations

ITEMS = [
    ("job_plan_present", "Jobplan er udarbejdet"),
    ("job_plan_adequate", "Jobplanen er fyldestgørende og lever op til lovens krav"),
    ("conversations_on_time", "Samtaler er afholdt rettidigt"),
    ("activation_on_time", "Aktivering er påbegyndt rettidigt"),
    ("decisions_justified", "Afgørelser er begrundede og partshørte"),
    ("documentation", "Sagen er journaliseret og dokumenteret"),
]


def create(apps, schema_editor):
    ChecklistItem = apps.get_model("kvalitet", "ChecklistItem")
    for position, (code, label) in enumerate(ITEMS, start=1):
        ChecklistItem.objects.get_or_create(code=code, defaults={"label": label, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("kvalitet", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
