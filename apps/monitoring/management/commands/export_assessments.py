from django.core.management.base import BaseCommand, CommandError

from apps.accounts import scoping
from apps.monitoring.selectors import write_export
from apps.regions.selectors import by_code


class Command(BaseCommand):
    help = "Write the assessments CSV of every region (region_code,year,metric,value); stdout by default."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--region", help="GB/T 2260 code")
        parser.add_argument("--output", help="file to write")

    def handle(self, *args, **options):
        region = None
        if options["region"]:
            region = by_code(options["region"])
            if region is None:
                raise CommandError(f"--region: unknown region code {options['region']}")
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                count = write_export(out, user=scoping.SYSTEM, year=options["year"], region=region)
            self.stderr.write(f"{count} assessment(s) written to {options['output']}")
        else:
            write_export(self.stdout._out, user=scoping.SYSTEM, year=options["year"], region=region)
