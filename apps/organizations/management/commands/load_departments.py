from django.core.management.base import BaseCommand, CommandError

from apps.organizations.services import load_departments
from apps.regions.models import Region
from apps.regions.selectors import by_code, subtree


class Command(BaseCommand):
    help = "Create the decision's departments at every loaded region, and the key sectors. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="only this region's subtree (GB/T 2260 code)")

    def handle(self, *args, **options):
        regions = Region.objects.all()
        if options["region"]:
            root = by_code(options["region"])
            if root is None:
                raise CommandError(f"--region: unknown region code {options['region']}")
            regions = subtree(root)
        result = load_departments(regions)
        self.stdout.write(
            f"departments and sectors: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
