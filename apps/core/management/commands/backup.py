"""python manage.py backup [--output FILE]: the database and uploaded files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database (pg_dump custom format on PostgreSQL, a "
        "consistent copy on SQLite), MEDIA_ROOT and PRIVATE_FILES_ROOT, and a manifest (format, "
        "time, schema, row counts of every table). Safe while the portal runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="the archive to write (default: backups/carbon-portal-<time>.tar.gz)"
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, output=None, database="default", **options):
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path("backups") / f"carbon-portal-{stamp}.tar.gz"
        try:
            manifest = create_backup(Path(output), using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["row_counts"].values())
        files = sum(f["count"] for f in manifest["files"].values())
        self.stdout.write(
            f"{output}: {manifest['engine']} database, {len(manifest['row_counts'])} tables, "
            f"{rows} rows, {files} files"
        )
