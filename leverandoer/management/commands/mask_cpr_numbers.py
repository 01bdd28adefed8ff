"""`manage.py mask_cpr_numbers`: mask CPR numbers already stored in every free-text field.

The fields mask what is written (leverandoer.fields); text stored before the masking knew a
spelling (0101 90 12 34, 01-01-90-1234, an en dash) is masked by running this once after a
deployment that widens `mask_cpr`. Rows and their history rows, in every app; idempotent.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from leverandoer.fields import mask_existing_rows


class Command(BaseCommand):
    help = "Mask CPR numbers already stored in free-text fields (rows and history rows) of every app."

    def handle(self, *args, **options):
        with transaction.atomic():
            for config in apps.get_app_configs():
                mask_existing_rows(apps, config.label)
        self.stdout.write("Stored free text is masked for CPR numbers.")
