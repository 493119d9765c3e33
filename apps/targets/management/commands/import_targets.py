"""`python manage.py import_targets FILE --user USERNAME` (shared/spec/exchange.md).

Creates or updates the region targets in FILE (CSV UTF-8, BOM accepted, or the first
sheet of an .xlsx) as USERNAME would through the UI: same permission checks, same
validation. All-or-nothing: on any invalid row nothing is saved, every error is printed
with its row number (the header is row 1) and the exit status is non-zero.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.core.tables import ImportRejected
from apps.targets import services


class Command(BaseCommand):
    help = "Import region targets (region_code,period,metric,value[,year]) from CSV or .xlsx, all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or .xlsx file")
        parser.add_argument("--user", required=True, help="act as this user (their permissions apply)")

    def handle(self, *args, file, user, **options):
        try:
            actor = User.objects.select_related("region").get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user named {user!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with path.open("rb") as handle:
                result = services.targets_import(user=actor, file=handle, filename=path.name)
        except PermissionDenied:
            raise CommandError(f"{user} may not set targets; nothing was imported")
        except ImportRejected as error:
            for e in error.row_errors:
                # A fixed "row N, column:" prefix, so scripts can parse it in any language.
                self.stderr.write(f"row {e.row}, {e.field}: {e.message}" if e.row else f"file: {e.message}")
            raise CommandError(f"{path.name} rejected: {len(error.row_errors)} error(s); nothing was saved")
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {result}"))
