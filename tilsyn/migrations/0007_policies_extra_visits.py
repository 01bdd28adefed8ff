"""Table 1 lets the administration buy extra external follow-up visits in scenarios 3 and 4."""

from __future__ import annotations

from django.db import migrations


def add(apps, schema_editor):
    ScenarioPolicy = apps.get_model("tilsyn", "ScenarioPolicy")
    for policy in ScenarioPolicy.objects.filter(scenario__in=[3, 4]):
        if "extra_external_visits" not in policy.follow_ups:
            policy.follow_ups = [*policy.follow_ups, "extra_external_visits"]
            policy.save(update_fields=["follow_ups"])


class Migration(migrations.Migration):
    dependencies = [("tilsyn", "0006_extra_external_visits")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
