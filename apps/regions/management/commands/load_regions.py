from django.core.management.base import BaseCommand, CommandError

from apps.regions.services import JIANGXI_CSV, NATIONAL_CSV, RegionDataError, load_regions_csv


class Command(BaseCommand):
    help = "Load the Jiangxi region tree (GB/T 2260), or with --all the national set. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="load all 3,351 national regions")
        parser.add_argument("--file", help="load this CSV (code,name,level,parent_code) instead")

    def handle(self, *args, **options):
        path = options["file"] or (NATIONAL_CSV if options["all"] else JIANGXI_CSV)
        try:
            result = load_regions_csv(path)
        except RegionDataError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{path}: rejected, nothing loaded ({len(exc.errors)} error(s))")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file")
        self.stdout.write(
            f"regions: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
