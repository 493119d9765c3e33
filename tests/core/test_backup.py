"""Backup and restore (apps.core.backup): an archive of the database and the uploaded files,
restored into a fresh database (a new PostgreSQL database, or a new SQLite file) with every
table's row count, the figures and an attachment's bytes unchanged; a non-empty target refused."""

import io
import json
import tarfile
import uuid
from contextlib import closing, contextmanager
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.core.backup import BackupError, Roots, create_backup, dbapi, restore_backup, row_counts
from apps.monitoring.models import Assessment
from apps.regions.models import Region
from apps.regions.services import JIANGXI_CSV, load_regions_csv

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@contextmanager
def fresh_database(tmp_path):
    """A DATABASES entry for a new, empty database of the engine the tests run on."""
    current = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": current["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{current['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = {**current, "NAME": "postgres"}
    with dbapi(admin) as conn:
        conn.autocommit = True
        conn.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**current, "NAME": name}
    finally:
        with dbapi(admin) as conn:
            conn.autocommit = True
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def figures(db) -> list[tuple]:
    with dbapi(db) as conn:
        cursor = conn.cursor()
        cursor.execute(
            "SELECT region_id, year, metric, CAST(value AS TEXT), level FROM monitoring_assessment "
            "ORDER BY region_id, year, metric"
        )
        return [(r, y, m, Decimal(v) if v is not None else None, lv) for r, y, m, v, lv in cursor.fetchall()]


@pytest.fixture
def portal_data(tmp_path):
    """Figures for some counties and an attachment on disk, committed (the dump sees commits)."""
    if not Region.objects.filter(level="county").exists():  # an earlier transactional test flushed
        load_regions_csv(JIANGXI_CSV)
    counties = list(Region.objects.filter(level="county").order_by("code")[:6])
    Assessment.objects.bulk_create(
        [
            Assessment(region=r, year=2020 + i, metric="backup_probe", value=Decimal("0.4123") + i, level="")
            for r in counties
            for i in range(3)
        ]
        + [Assessment(region=counties[0], year=2022, metric="backup_probe_warning", value=None, level="red")]
    )
    roots = Roots.of(media=tmp_path / "media", private_files=tmp_path / "private")
    attachment = roots.folders[1][1] / "reports" / "2024" / "360102" / "chart.png"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(PNG)
    return roots, attachment


def test_a_backup_restores_into_a_fresh_database_with_every_row_figure_and_file(tmp_path, portal_data):
    roots, attachment = portal_data
    archive = tmp_path / "backup.tar.gz"
    manifest = create_backup(archive, roots=roots)
    original = row_counts(connection.settings_dict)
    assert manifest["row_counts"] == original and original["monitoring_assessment"] >= 19
    assert manifest["files"]["private_files"] == {"count": 1, "bytes": len(PNG)}
    assert manifest["schema"]["monitoring"]  # the last migration of every app

    restored_roots = Roots.of(media=tmp_path / "r-media", private_files=tmp_path / "r-private")
    with fresh_database(tmp_path) as fresh:
        restore_backup(archive, target=fresh, roots=restored_roots)
        assert row_counts(fresh) == original  # every table
        assert figures(fresh) == figures(connection.settings_dict)
        copy = restored_roots.folders[1][1] / attachment.relative_to(roots.folders[1][1])
        assert copy.read_bytes() == PNG

        with pytest.raises(BackupError, match=r"not empty.*--force"):
            restore_backup(archive, target=fresh, roots=restored_roots)
        Assessment.objects.filter(metric="backup_probe").delete()  # the live database moves on
        restore_backup(archive, target=fresh, roots=restored_roots, force=True)
        assert row_counts(fresh) == original
        moved_aside = [p for p in tmp_path.iterdir() if p.name.startswith("r-private.before-restore-")]
        assert len(moved_aside) == 1 and (restored_roots.folders[1][1] / "reports").is_dir()


def test_the_archive_holds_a_manifest_the_dump_and_the_files(tmp_path, portal_data):
    roots, _attachment = portal_data
    archive = tmp_path / "b.tar.gz"
    create_backup(archive, roots=roots)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["format"] == 1 and manifest["engine"] in ("sqlite", "postgresql")
    assert manifest["database"] in names and "private_files/reports/2024/360102/chart.png" in names


def test_the_commands_back_up_and_refuse_to_overwrite_a_database_in_use(tmp_path, portal_data, settings):
    roots, _attachment = portal_data
    settings.MEDIA_ROOT, settings.PRIVATE_FILES_ROOT = roots.folders[0][1], roots.folders[1][1]
    archive = tmp_path / "cmd.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert archive.is_file() and "1 files" in out.getvalue()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Assessment.objects.filter(metric__startswith="backup_probe").count() == 19


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    bogus = tmp_path / "x.tar.gz"
    bogus.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="not a portal backup"):
        call_command("restore", str(bogus), "--force", stdout=io.StringIO())


def test_a_backup_of_another_engine_is_refused(tmp_path):
    archive = tmp_path / "other.tar.gz"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    data = json.dumps({"format": 1, "engine": other, "files": {}, "database": "x"}).encode()
    with closing(tarfile.open(archive, "w:gz")) as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match=f"of a {other} database"):
        restore_backup(archive, target=connection.settings_dict, roots=Roots.of())
