from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.app_modules import portal_app_modules
from apps.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create the demo users (one per role) and each app's demo data (apps/<app>/demo.py). "
        "Idempotent; needs load_regions and load_departments first."
    )

    def handle(self, *args, **options):
        if not Region.objects.filter(code="360000").exists():
            raise CommandError("load the Jiangxi regions first: python manage.py load_regions")
        from apps.monitoring.dispatch import recompute_batched

        with recompute_batched("demo data seeded"), transaction.atomic():
            for config, module in portal_app_modules("demo"):
                self.stdout.write(f"{config.label}:")
                module.seed(self.stdout)
        # Data that follows the figures (the accountability ledger's cases follow its candidates):
        # seeded once the recompute queued above has run (in-process without a broker).
        for config, module in portal_app_modules("demo"):
            after = getattr(module, "seed_after_recompute", None)
            if after is not None:
                self.stdout.write(f"{config.label} (after the recompute):")
                with transaction.atomic():
                    after(self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
