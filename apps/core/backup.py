"""Backup and restore of the whole portal: the database and the uploaded files, in one archive.

`manage.py backup` writes a gzipped tar archive:

    manifest.json          format, time, engine, schema (last migration per app),
                           row counts of every table, number and size of files
    database.dump          PostgreSQL: `pg_dump --format=custom`, of one snapshot
    database.sqlite3       SQLite: a consistent copy by SQLite's online backup API
    media/...              MEDIA_ROOT
    private_files/...      PRIVATE_FILES_ROOT (report and plan attachments, editions)
    <name>_private_root/…  a *_PRIVATE_ROOT setting outside PRIVATE_FILES_ROOT, if any

On PostgreSQL the row counts are taken in the very snapshot that pg_dump dumps (an exported
snapshot of a REPEATABLE READ transaction), so they describe the dump exactly even while the
portal keeps running. `manage.py restore` refuses a database or a files folder that holds
anything unless --force; it restores in one transaction (PostgreSQL) or by the backup API
(SQLite), then checks every table's row count against the manifest.

This module imports no portal app (layer `core`): it sees tables, not models.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class Roots:
    """The folders of uploaded files that belong in a backup, by the name they have in the archive.

    MEDIA_ROOT and PRIVATE_FILES_ROOT, and any `*_PRIVATE_ROOT` setting (REPORTS_PRIVATE_ROOT,
    PLANS_PRIVATE_ROOT, …) that points outside PRIVATE_FILES_ROOT.
    """

    folders: tuple[tuple[str, Path], ...]

    @classmethod
    def configured(cls) -> Roots:
        private = Path(settings.PRIVATE_FILES_ROOT)
        folders = [("media", Path(settings.MEDIA_ROOT)), ("private_files", private)]
        for name in sorted(dir(settings)):
            value = getattr(settings, name, None) if name.endswith("_PRIVATE_ROOT") else None
            if value and not Path(value).resolve().is_relative_to(private.resolve()):
                folders.append((name.lower(), Path(value)))
        return cls(tuple(folders))

    @classmethod
    def of(cls, **folders: Path) -> Roots:
        return cls(tuple((name, Path(path)) for name, path in folders.items()))

    def items(self) -> list[tuple[str, Path]]:
        return list(self.folders)


def engine_of(db: dict) -> str:
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"backups support PostgreSQL and SQLite, not {engine}")


# --- reading a database without models ------------------------------------------------------


@contextmanager
def dbapi(db: dict):
    """A plain DB-API connection to the database a settings dict names (no Django connection)."""
    if engine_of(db) == "sqlite":
        name = str(db["NAME"])
        with closing(sqlite3.connect(name, uri=name.startswith("file:"))) as conn:
            yield conn
    else:
        import psycopg2

        with closing(psycopg2.connect(**_pg_params(db))) as conn:
            yield conn


def _pg_params(db: dict) -> dict:
    params = {"dbname": db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    params["host"] = db.get("HOST") or None
    params["port"] = db.get("PORT") or None
    return {k: v for k, v in params.items() if v}


def table_names(cursor, engine: str) -> list[str]:
    if engine == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def count_rows(cursor, engine: str) -> dict[str, int]:
    """Rows of every table, by name (identifiers quoted: names come from the catalog)."""
    counts = {}
    for name in table_names(cursor, engine):
        cursor.execute('SELECT COUNT(*) FROM "{}"'.format(name.replace('"', '""')))
        counts[name] = cursor.fetchone()[0]
    return counts


def row_counts(db: dict) -> dict[str, int]:
    """Every table's row count of the database `db` (a DATABASES entry)."""
    with dbapi(db) as conn:
        cursor = conn.cursor()
        return count_rows(cursor, engine_of(db))


def _schema(db: dict) -> dict[str, str]:
    """The last applied migration of every app (what code the dump belongs to)."""
    with dbapi(db) as conn:
        cursor = conn.cursor()
        if "django_migrations" not in table_names(cursor, engine_of(db)):
            return {}
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return dict(cursor.fetchall())


# --- backup -----------------------------------------------------------------------------


def create_backup(output: Path, *, using: str = "default", roots: Roots | None = None) -> dict:
    """Write the archive `output` of database `using` and the file roots; return its manifest."""
    roots = roots or Roots.configured()
    db = connections[using].settings_dict
    engine = engine_of(db)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carbon-backup-") as work:
        work = Path(work)
        if engine == "postgresql":
            dump, counts = work / PG_DUMP, _pg_dump(db, work / PG_DUMP)
        else:
            dump, counts = work / SQLITE_COPY, _sqlite_copy(using, work / SQLITE_COPY)
        files = {name: _file_stats(root) for name, root in roots.items()}
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database": dump.name,
            "schema": _schema(db) if engine == "postgresql" else _sqlite_schema(dump),
            "row_counts": counts,
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=dump.name)
            for name, root in roots.items():
                for path in _files(root):
                    archive.add(path, arcname=f"{name}/{path.relative_to(root).as_posix()}", recursive=False)
        partial.replace(output)  # a backup that stopped half-way is never mistaken for a whole one
    return manifest


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client programs are needed)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(db: dict, target: Path) -> dict[str, int]:
    """pg_dump of one exported snapshot, and the row counts seen in that same snapshot."""
    import psycopg2.extensions

    with dbapi(db) as conn:
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ)
        cursor = conn.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = count_rows(cursor, "postgresql")
        command = ["pg_dump", *_pg_args(db), "--format=custom", f"--snapshot={snapshot}"]
        _run([*command, "--file", str(target), str(db["NAME"])], _pg_env(db))
        conn.rollback()
    return counts


def _sqlite_copy(using: str, target: Path) -> dict[str, int]:
    """SQLite's online backup API: a consistent copy even while the portal writes."""
    connection = connections[using]
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        return count_rows(copy.cursor(), "sqlite")


def _sqlite_schema(path: Path) -> dict[str, str]:
    return _schema({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})


def _files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _file_stats(root: Path) -> dict[str, int]:
    paths = list(_files(root))
    return {"count": len(paths), "bytes": sum(p.stat().st_size for p in paths)}


# --- restore ----------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read().decode("utf-8"))
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive_path} is not a portal backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported (expected {FORMAT})")
    return manifest


def occupied(db: dict, roots: Roots) -> list[str]:
    """What a restore would overwrite: tables holding rows, folders holding files."""
    found = [f"table {name} ({n} rows)" for name, n in row_counts(db).items() if n]
    found += [f"folder {root}" for _name, root in roots.items() if any(_files(root))]
    return found


def restore_backup(
    archive_path: Path, *, target: dict, roots: Roots | None = None, force: bool = False
) -> dict:
    """Restore the archive into the database `target` (a DATABASES entry) and the file roots.

    Refuses when the database has rows or a folder has files, unless `force`: then the
    database's tables are dropped first and the folders moved aside (`<folder>.before-restore-…`).
    Returns the manifest after checking every table's row count against it.
    """
    roots = roots or Roots.configured()
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    unknown = set(manifest["files"]) - {name for name, _root in roots.items()}
    if unknown:
        raise BackupError(
            f"the backup has files for {', '.join(sorted(unknown))}, which is not configured here"
        )
    engine = engine_of(target)
    if manifest["engine"] != engine:
        raise BackupError(f"this backup is of a {manifest['engine']} database, the target is {engine}")
    in_the_way = occupied(target, roots)
    if in_the_way and not force:
        shown = ", ".join(in_the_way[:5]) + (
            f" and {len(in_the_way) - 5} more" if len(in_the_way) > 5 else ""
        )
        raise BackupError(f"the target is not empty ({shown}); use --force to overwrite it")
    with tempfile.TemporaryDirectory(prefix="carbon-restore-") as work:
        work = Path(work)
        with tarfile.open(archive_path, "r:*") as archive:
            archive.extractall(work, filter="data")  # no absolute paths, links or devices
        dump = work / manifest["database"]
        if engine == "postgresql":
            _pg_restore(target, dump, clean=bool(in_the_way))
        else:
            _sqlite_restore(target, dump)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for name, root in roots.items():
            source = work / name
            if root.exists() and any(root.iterdir()):
                root.rename(root.with_name(f"{root.name}.before-restore-{stamp}"))
            root.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, root, dirs_exist_ok=True)
    restored = row_counts(target)
    differing = {t: (n, restored.get(t)) for t, n in manifest["row_counts"].items() if restored.get(t) != n}
    if differing:
        raise BackupError(
            f"restored row counts differ from the backup's (table: backup, restored): {differing}"
        )
    return manifest


def _pg_restore(target: dict, dump: Path, *, clean: bool) -> None:
    if clean:  # --force on a database in use: start from an empty schema
        with dbapi(target) as conn:
            cursor = conn.cursor()
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            conn.commit()
    command = ["pg_restore", *_pg_args(target), "--no-owner", "--no-privileges", "--single-transaction"]
    _run([*command, "--exit-on-error", "--dbname", str(target["NAME"]), str(dump)], _pg_env(target))


def _sqlite_restore(target: dict, dump: Path) -> None:
    name = str(target["NAME"])
    with (
        closing(sqlite3.connect(dump)) as source,
        closing(sqlite3.connect(name, uri=name.startswith("file:"))) as dest,
    ):
        source.backup(dest)  # replaces the whole database, atomically for other readers
