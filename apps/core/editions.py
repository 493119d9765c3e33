"""Frozen editions (shared/DESIGN.md): documents people cite are issued once, with their figures
and rendered files stored with a SHA-256 content hash; later recomputes never change them, and a
correction is a new edition of the same subject that supersedes the previous one.

The issuing app (oversight, accountability, disclosure) checks who may issue and passes the
figures (plain data: dicts, lists, strings, numbers, Decimals, dates) and the rendered files;
this module only numbers, hashes, stores and verifies. The hashes are plain SHA-256 so anyone
holding a published file or the figures can check them: print them on the document or page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .files import clean_filename
from .models import FrozenEdition, FrozenFile


def canonical_json(data) -> str:
    """One text for the same data whatever the key order: sorted keys, no spaces, UTF-8 kept,
    decimals and dates as strings (DjangoJSONEncoder), NaN refused."""
    return json.dumps(
        data,
        cls=DjangoJSONEncoder,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def sha256_hex(content: bytes | str) -> str:
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()


@dataclass(frozen=True)
class RenderedFile:
    """A file rendered for an edition (a PDF, a DOCX, an HTML page) as bytes."""

    name: str
    content: bytes
    content_type: str


def _file_manifest(files: Iterable) -> list[dict]:
    return sorted(
        ({"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256} for f in files),
        key=lambda f: f["name"],
    )


def seal_of(edition: FrozenEdition, files: Iterable) -> str:
    """The SHA-256 over everything an edition states (its fields and its files' hashes)."""
    manifest = {
        "kind": edition.kind,
        "subject_key": edition.subject_key,
        "number": edition.number,
        "title": edition.title,
        "figures_sha256": edition.figures_sha256,
        "data_version": edition.data_version,
        "issued_by": edition.issued_by_id,
        "issued_at": edition.issued_at.astimezone(UTC).isoformat(),
        "supersedes": edition.supersedes_id,
        "correction_reason": edition.correction_reason,
        "files": _file_manifest(files),
    }
    return sha256_hex(canonical_json(manifest))


@dataclass(frozen=True)
class _FileToStore:
    name: str
    content_type: str
    size: int
    sha256: str
    content: bytes


@transaction.atomic
def edition_issue(
    *,
    user,
    kind: str,
    subject_key: str,
    figures,
    data_version: str,
    title: str = "",
    files: Sequence[RenderedFile] = (),
    correction_reason: str = "",
) -> FrozenEdition:
    """Issue the next edition of (`kind`, `subject_key`): number 1, or the latest + 1 which
    supersedes the latest and must say why (`correction_reason`). The caller has checked that
    `user` may issue it. Figures and files are hashed as given and never change afterwards.
    Files are written before the transaction commits: a rollback by the caller can leave an
    unreferenced file in the editions storage (harmless: nothing links to it).
    """
    errors: dict[str, str] = {}
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValidationError(_("An edition is issued by a signed-in user or the system account."))
    kind, subject_key = (kind or "").strip(), (subject_key or "").strip()
    if not kind:
        errors["kind"] = _("Say what kind of document this is.")
    if not subject_key:
        errors["subject_key"] = _("Say what the edition is about.")
    if not (data_version or "").strip():
        errors["data_version"] = _("Name the data version the figures come from.")
    try:
        figures_json = canonical_json(figures)
    except (TypeError, ValueError):
        errors["figures"] = _("The figures cannot be stored as JSON.")
        figures_json = ""
    to_store = [
        _FileToStore(
            name=clean_filename(f.name),
            content_type=f.content_type,
            size=len(f.content),
            sha256=sha256_hex(f.content),
            content=f.content,
        )
        for f in files
    ]
    if len({f.name for f in to_store}) != len(to_store):
        errors["files"] = _("Two files of an edition have the same name.")
    latest = (
        FrozenEdition.objects.select_for_update()
        .filter(kind=kind, subject_key=subject_key)
        .order_by("-number")
        .first()
    )
    correction_reason = (correction_reason or "").strip()
    if latest is not None and not correction_reason:
        errors["correction_reason"] = _("Say why a new edition replaces edition %(number)s.") % {
            "number": latest.number
        }
    if errors:
        raise ValidationError(errors)

    edition = FrozenEdition(
        kind=kind,
        subject_key=subject_key,
        number=1 if latest is None else latest.number + 1,
        title=(title or "").strip(),
        figures_json=figures_json,
        figures_sha256=sha256_hex(figures_json),
        data_version=data_version.strip(),
        issued_by=user,
        issued_at=timezone.now().replace(microsecond=0),  # what every database stores exactly
        supersedes=latest,
        correction_reason=correction_reason if latest is not None else "",
    )
    edition.sha256 = seal_of(edition, to_store)
    try:
        with transaction.atomic():
            edition.save()
    except IntegrityError:
        raise ValidationError(
            _("Another edition of this document was issued at the same moment; reload and try again.")
        ) from None
    stored: list[str] = []
    try:
        for f in to_store:
            row = FrozenFile(
                edition=edition, name=f.name, content_type=f.content_type, size=f.size, sha256=f.sha256
            )
            row.file.save(f.name, ContentFile(f.content), save=False)
            stored.append(row.file.name)
            row.save()
    except Exception:
        storage = FrozenFile._meta.get_field("file").storage
        for name in stored:  # no orphans when the transaction fails here
            storage.delete(name)
        raise
    return edition


@dataclass(frozen=True)
class Verification:
    """The result of re-checking an edition: `problems` is empty when it is intact."""

    edition: FrozenEdition
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def edition_verify(edition: FrozenEdition) -> Verification:
    """Re-read the stored edition and its files and re-compute every hash: changed figures,
    a changed or missing file, or a changed field of the edition each give a problem."""
    stored = FrozenEdition.objects.select_related("supersedes").get(pk=edition.pk)
    rows = list(stored.files.all())
    problems: list[str] = []
    if sha256_hex(stored.figures_json) != stored.figures_sha256:
        problems.append(_("The figures differ from those issued."))
    for row in rows:
        try:
            with row.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            problems.append(_("The file %(name)s is missing.") % {"name": row.name})
            continue
        if len(content) != row.size or sha256_hex(content) != row.sha256:
            problems.append(_("The file %(name)s differs from the one issued.") % {"name": row.name})
    if seal_of(stored, rows) != stored.sha256:
        problems.append(_("The edition's record differs from the one issued."))
    return Verification(edition=stored, problems=tuple(problems))


def editions_of(kind: str, subject_key: str) -> models.QuerySet[FrozenEdition]:
    """Every edition of a document, oldest first."""
    return FrozenEdition.objects.filter(kind=kind, subject_key=subject_key).order_by("number")


def edition_current(kind: str, subject_key: str) -> FrozenEdition | None:
    """The edition in force: the latest (nothing supersedes it)."""
    return editions_of(kind, subject_key).order_by("-number").first()
