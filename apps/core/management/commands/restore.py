"""python manage.py restore FILE [--force]: a backup of `manage.py backup` back in place."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from apps.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into the configured database, "
        "MEDIA_ROOT and PRIVATE_FILES_ROOT, and check every table's row count against its "
        "manifest. Refuses a database with rows or folders with files unless --force (then the "
        "tables are dropped first and the folders are moved aside, not deleted). Stop the "
        "portal and its workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by `manage.py backup`")
        parser.add_argument("--force", action="store_true", help="overwrite a database that is not empty")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, file, force=False, database="default", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        target = connections[database].settings_dict
        connections.close_all()  # nothing of ours holds the database while it is replaced
        try:
            manifest = restore_backup(path, target=target, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"restored {path.name} of {manifest['created_at']}: {len(manifest['row_counts'])} tables, "
            f"{rows} rows (counts checked), "
            f"{sum(f['count'] for f in manifest['files'].values())} files"
        )
