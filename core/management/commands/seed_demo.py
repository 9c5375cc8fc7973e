"""``manage.py seed_demo``: a believable demo city, built by each app's registered demo seeder (see
``core.demo``) through its services, with known demo passwords. Demo only: refused when DEBUG is off.
Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import seeders
from core.models import ScopeUnit


class Command(BaseCommand):
    help = "Build the demo city (demo passwords; refused when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo makes accounts with known passwords: refused when DEBUG is off.")
        if not ScopeUnit.objects.exists():
            call_command("load_divisions", stdout=self.stdout)
        with transaction.atomic():
            for _label, seed in seeders():
                seed(stdout=self.stdout)
