"""Default vulnerability of target groups and risk factors of offer types (editable afterwards)."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

VULNERABLE = ["aktivitetsparate", "sygedagpenge", "integration", "ressourceforloeb"]
RISK_FACTORS = {
    "virksomhedsrettet": "0.5",
    "jobsoegning": "0.5",
    "mentor": "1.0",
    "afklaring": "1.0",
    "opkvalificering": "0.5",
    "dansk-job": "0.5",
    "kontaktforloeb": "1.5",  # Anden Aktør takes decisions in citizens' cases
}


def apply(apps, schema_editor):
    TargetGroup = apps.get_model("leverandoer", "TargetGroup")
    TargetGroup.objects.filter(code__in=VULNERABLE).update(vulnerable=True)
    OfferType = apps.get_model("leverandoer", "OfferType")
    for code, factor in RISK_FACTORS.items():
        OfferType.objects.filter(code=code).update(risk_factor=Decimal(factor))


class Migration(migrations.Migration):
    dependencies = [("leverandoer", "0004_risk_reference_data")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
