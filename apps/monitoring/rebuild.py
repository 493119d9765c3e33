"""Rebuild whole tables beside the live ones and swap them in (PostgreSQL).

The nightly recompute replaces every row of the result tables. Deleting a million rows and
inserting a million more costs more than writing them into a fresh table, indexing it once
and renaming it into place; readers meanwhile see the previous results, and only the final
rename waits for them. The fresh tables copy the live ones' columns, defaults, identity and
check constraints (``CREATE TABLE … (LIKE …)``); their indexes and constraints are rebuilt
from the live ones' definitions after the load and renamed to the live names on the swap, so
the schema is exactly what the migrations made.
The monitoring run fills the staged tables with `results.write_staged`: the same rows and
COPY writer as a region-scoped recompute.

A session-level advisory lock is held for the whole rebuild: writers of single regions take
the same key in shared mode and wait, so nothing they write can be lost in the swap. A crash
releases the lock with the session; the next rebuild drops the half-built tables first.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from django.db import OperationalError, connection, models, transaction

log = logging.getLogger(__name__)

SUFFIX = "__next"
SWAP_ATTEMPTS = 3
LOCK_WAIT_MS = 2000  # per attempt
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock_timeout
_INDEX_DEF = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .+)$", re.S)


def available() -> bool:
    """Whether whole-table rebuilds can run here: PostgreSQL, outside any transaction (DDL and
    the swap need their own transactions; inside a caller's transaction the chunked path runs)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _staged(name: str) -> str:
    return name[: 63 - len(SUFFIX)] + SUFFIX


@dataclass
class _Index:
    name: str
    create: str  # SQL building it on the staged table under the staged name
    constraint: bool  # renamed with ALTER TABLE … RENAME CONSTRAINT


class Rebuild:
    """Context manager: staged tables for ``models``; ``swap()`` puts them in place.

    Leaving the block without ``swap()`` (an error) drops the staged tables; the live tables
    are untouched.
    """

    def __init__(self, model_list: tuple[type[models.Model], ...], lock: tuple[int, int]):
        self.models = model_list
        self.lock = lock
        self.names = {m: _staged(m._meta.db_table) for m in model_list}
        self.swapped = False
        self.indexed = False
        self.plans: dict[type[models.Model], list[_Index]] = {}

    def __getitem__(self, model: type[models.Model]) -> str:
        return self.names[model]

    def __enter__(self) -> Rebuild:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(self.lock))
            try:
                for model in self.models:
                    live, staged = model._meta.db_table, self.names[model]
                    cursor.execute(f'DROP TABLE IF EXISTS "{staged}"')
                    cursor.execute(
                        f'CREATE TABLE "{staged}" (LIKE "{live}" INCLUDING DEFAULTS INCLUDING IDENTITY '
                        "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)"
                    )
                    self.plans[model] = self._indexes(cursor, live, staged)
            except BaseException:
                self._release(cursor)
                raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        with connection.cursor() as cursor:
            try:  # after a swap they are gone already; after an error or the fallback, not
                for staged in self.names.values():
                    cursor.execute(f'DROP TABLE IF EXISTS "{staged}"')
            finally:
                self._release(cursor)

    def _release(self, cursor) -> None:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(self.lock))

    # ---- indexes ------------------------------------------------------------------------------

    def _indexes(self, cursor, live: str, staged: str) -> list[_Index]:
        """The live table's indexes and index-backed or foreign-key constraints, for the staged one."""
        out: list[_Index] = []
        cursor.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x', 'f') ORDER BY contype, conname""",
            [live],
        )
        for name, definition in cursor.fetchall():
            temp = _staged(name)
            out.append(_Index(name, f'ALTER TABLE "{staged}" ADD CONSTRAINT "{temp}" {definition}', True))
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = %s::regclass
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
               ORDER BY i.relname""",
            [live],
        )
        for name, definition in cursor.fetchall():
            match = _INDEX_DEF.match(definition)
            if match is None:
                raise RuntimeError(f"cannot rebuild index {name}: {definition}")
            unique, rest = match.groups()
            out.append(
                _Index(name, f'CREATE {unique or ""}INDEX "{_staged(name)}" ON "{staged}" {rest}', False)
            )
        return out

    def build_indexes(self) -> None:
        """Index and analyse the staged tables (any connection may do it: they are committed)."""
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for model in self.models:
                for index in self.plans[model]:  # after the load: one sort instead of a million inserts
                    cursor.execute(index.create)
                cursor.execute(f'ANALYZE "{self.names[model]}"')
            cursor.execute("RESET maintenance_work_mem")
        self.indexed = True

    def swap(self) -> None:
        """Replace the live tables by the staged ones (indexing them first unless
        `build_indexes()` already ran).

        Renaming needs every reader out of the way; while it waits, new readers queue behind it.
        So it waits at most `LOCK_WAIT` per attempt; if a long reader (a big export, a report
        session) outlasts the attempts, the rows are copied into the live tables instead, which
        readers do not block: slower, but nobody waits.
        """
        if not self.indexed:
            self.build_indexes()
        tables = ", ".join(f'"{m._meta.db_table}"' for m in self.models)
        for attempt in range(SWAP_ATTEMPTS):
            try:
                with connection.cursor() as cursor, transaction.atomic():
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                    cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
                    for model in self.models:
                        self._replace(cursor, model, self.plans[model])
                self.swapped = True
                return
            except OperationalError as exc:
                if getattr(exc.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
                    raise
                log.warning(
                    "swap of %s waited %s ms for readers (attempt %s)", tables, LOCK_WAIT_MS, attempt + 1
                )
                time.sleep(0.5 * (attempt + 1))
        self._copy_into_live()

    def _copy_into_live(self) -> None:
        """Fallback of `swap()`: replace the live rows in one transaction, next to the readers."""
        with connection.cursor() as cursor, transaction.atomic():
            for model in self.models:
                live, staged = model._meta.db_table, self.names[model]
                columns = ", ".join(
                    f'"{f.column}"'
                    for f in model._meta.concrete_fields
                    if f.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField")
                )
                cursor.execute(f'DELETE FROM "{live}"')
                cursor.execute(f'INSERT INTO "{live}" ({columns}) SELECT {columns} FROM "{staged}"')
        self.swapped = True
        log.warning(
            "swap of %s fell back to copying the rows into the live tables", ", ".join(self.names.values())
        )

    def _replace(self, cursor, model: type[models.Model], indexes: list[_Index]) -> None:
        live, staged = model._meta.db_table, self.names[model]
        sequences = {}
        for column in (f.column for f in model._meta.concrete_fields):
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s), pg_get_serial_sequence(%s, %s)",
                [f'"{live}"', column, f'"{staged}"', column],
            )
            old, new = cursor.fetchone()
            if old and new:
                sequences[new] = old.split(".")[-1].strip('"')
        cursor.execute(f'DROP TABLE "{live}"')
        cursor.execute(f'ALTER TABLE "{staged}" RENAME TO "{live}"')
        for index in indexes:
            if index.constraint:
                cursor.execute(
                    f'ALTER TABLE "{live}" RENAME CONSTRAINT "{_staged(index.name)}" TO "{index.name}"'
                )
            else:
                cursor.execute(f'ALTER INDEX "{_staged(index.name)}" RENAME TO "{index.name}"')
        for new, old_name in sequences.items():
            cursor.execute(f'ALTER SEQUENCE {new} RENAME TO "{old_name}"')
