"""Default weights and thresholds of the risk score (tilsyn.risk); an administrator edits them."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

WEIGHTS = [
    ("scenario", "Tidligere scenarier", "2.0",
     "Point pr. scenarietrin over 1 (scenarie 2 = 1 trin, 4 = 3 trin), ganget med 1 det seneste år, "
     "0,5 året før og 0,25 året før det."),
    ("red_finding", "Røde fund", "1.5", "Point pr. rødt fund de seneste 24 måneder."),
    ("vulnerable_group", "Udsatte målgrupper", "3.0",
     "Point, hvis leverandøren har aktive tilbud til en målgruppe markeret som udsat."),
    ("offer_type", "Tilbudstyper", "2.0", "Ganges med den højeste risikofaktor blandt leverandørens aktive tilbudstyper."),
    ("months_since_visit", "Tid siden sidste besøg", "0.25",
     "Point pr. måned siden sidste udførte tilsynsbesøg (højst 24 måneder; aldrig besøgt tæller som 24)."),
    ("threshold_visit", "Grænse for tilsynsbesøg", "8.5",
     "Fra denne score foreslås et tilsynsbesøg; under den et databaseret tilsyn."),
    ("threshold_unannounced", "Grænse for uanmeldt besøg", "11.5", "Fra denne score foreslås besøget uanmeldt."),
]


def create(apps, schema_editor):
    RiskWeight = apps.get_model("tilsyn", "RiskWeight")
    for code, label, value, description in WEIGHTS:
        RiskWeight.objects.get_or_create(
            code=code, defaults={"label": label, "value": Decimal(value), "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("tilsyn", "0004_planning")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
