"""Default scoring rules (issue: scoring engine); an administrator edits them."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

RULES = [
    ("complaints", "Klager: antal med medhold eller delvist medhold", "0", "2", False, 0,
     "Grøn ved 0, gul ved 1–2, rød ved 3 eller flere. En klage om generel forkert praksis giver altid rød."),
    ("user_surveys", "Brugerundersøgelser: gennemsnitlig score", "4.0", "3.5", True, 5,
     "Ingen farve under 5 besvarelser."),
    ("case_handling", "Sagsbehandling: efterlevelse ved stikprøver (%)", "95", "85", True, 5,
     "Ingen farve under 5 gennemgåede sager."),
    ("effect", "Effekt: afstand til den sammenlignelige gruppe (procentpoint)", "-5", "-10", True, 10,
     "Pr. tilbud med mindst 10 borgere; leverandøren får det dårligste tilbuds farve."),
    ("supervision_hours", "Tilsyn: leverede timer (%)", "98", "95", True, 0, ""),
    ("supervision_reports", "Tilsyn: progressionsrapporter til tiden (%)", "95", "85", True, 0, ""),
]


def create(apps, schema_editor):
    ScoringRule = apps.get_model("kvalitet", "ScoringRule")
    for code, label, green, yellow, higher, minimum, description in RULES:
        ScoringRule.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "green": Decimal(green),
                "yellow": Decimal(yellow),
                "higher_is_better": higher,
                "minimum": minimum,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("kvalitet", "0005_scoring_rules")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
