"""python manage.py import_values FILE --user USERNAME [--approve] [--submit] (exchange.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from apps.core.tables import ImportRejected
from apps.reports.services import values_import


class Command(BaseCommand):
    help = (
        "Create or update the annual reports of the regions and years in a values file "
        "(region_code,year,indicator,value[,note]; CSV UTF-8 or the first sheet of an xlsx), "
        "as USERNAME would through the UI. All-or-nothing: any invalid row rejects the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, BOM accepted) or .xlsx file")
        parser.add_argument("--user", required=True, help="the acting user's username")
        parser.add_argument(
            "--approve", action="store_true", help="also approve the reports (provincial officials only)"
        )
        parser.add_argument(
            "--submit", action="store_true", help="submit the reports for review instead of leaving drafts"
        )

    def handle(self, *args, file, user, approve, submit, **options):
        User = get_user_model()
        try:
            acting = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user named {user!r}") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with path.open("rb") as handle:
                result = values_import(
                    user=acting, file=handle, filename=path.name, approve=approve, submit=submit
                )
        except PermissionDenied as exc:
            raise CommandError(f"refused: {exc}") from None
        except ImportRejected as exc:
            for error in exc.row_errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{path.name} rejected: {len(exc.row_errors)} error(s); nothing was saved"
            ) from None
        self.stdout.write(result.summary())
