from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create the demo users (one per role) and each app's demo data (apps/<app>/demo.py). "
        "Idempotent; needs load_regions and load_departments first."
    )

    def handle(self, *args, **options):
        if not Region.objects.filter(code="360000").exists():
            raise CommandError("load the Jiangxi regions first: python manage.py load_regions")
        from apps.monitoring.services import recompute_batched

        with recompute_batched("demo data seeded"), transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("apps."):
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                self.stdout.write(f"{config.label}:")
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
