"""The five roles as groups, and default offer types and target groups (editable afterwards)."""

from __future__ import annotations

from django.db import migrations

ROLES = ["contract_manager", "inspector", "secretariat", "caseworker", "administrator"]

OFFER_TYPES = [
    ("virksomhedsrettet", "Virksomhedsrettet forløb"),
    ("jobsoegning", "Jobsøgningsforløb"),
    ("mentor", "Mentorforløb"),
    ("afklaring", "Afklaringsforløb"),
    ("opkvalificering", "Opkvalificering"),
    ("dansk-job", "Danskuddannelse med jobfokus"),
    ("kontaktforloeb", "Kontaktforløb (Anden Aktør)"),
]

TARGET_GROUPS = [
    ("jobparate", "Jobparate ledige"),
    ("aktivitetsparate", "Aktivitetsparate kontanthjælpsmodtagere"),
    ("unge", "Unge under 30 år"),
    ("sygedagpenge", "Sygedagpengemodtagere"),
    ("integration", "Nyankomne flygtninge og familiesammenførte"),
    ("forsikrede", "Forsikrede ledige (a-dagpenge)"),
    ("ressourceforloeb", "Personer i ressourceforløb"),
]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    OfferType = apps.get_model("leverandoer", "OfferType")
    for code, name in OFFER_TYPES:
        OfferType.objects.get_or_create(code=code, defaults={"name": name})
    TargetGroup = apps.get_model("leverandoer", "TargetGroup")
    for code, name in TARGET_GROUPS:
        TargetGroup.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("leverandoer", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
