from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.divisions import load_divisions, sync_city_scope_units
from core.models import Division


class Command(BaseCommand):
    help = "Load GB/T 2260 divisions and Shandong towns, and make the city's counties scope units."

    def add_arguments(self, parser):
        parser.add_argument("--city", default=settings.LINGONG_CITY_CODE, help="city code (default: setting)")

    def handle(self, *args, city, **options):
        count = load_divisions()
        if not Division.objects.filter(code=city, level="city").exists():
            raise CommandError(f"{city} is not a city code in the division table.")
        units = sync_city_scope_units(city)
        self.stdout.write(
            self.style.SUCCESS(f"{count} divisions loaded; {len(units)} county scope units for {city}.")
        )
