"""File-type sniffing: what an uploaded file is, read from its content, never from its name.

The first bytes (magic numbers) tell PDF, PNG and JPEG apart; Office files are ZIP archives
told apart by the parts inside (`xl/workbook.xml`, `word/document.xml`). A name can claim
anything (`evil.html` holding PNG bytes, `report.pdf` holding an executable), so the name is
only cleaned for display and given the extension of the type the content has.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEAD_BYTES = 16
NAME_MAX = 190  # leaves room in a 200-character FileField for the storage's own prefix
DEFAULT_NAME = "attachment"


@dataclass(frozen=True)
class FileKind:
    """An accepted type: how users call it, its MIME type, its extensions (the first is canonical)."""

    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileKind("pdf", "PDF", "application/pdf", (".pdf",))
PNG = FileKind("png", "PNG", "image/png", (".png",))
JPEG = FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"))
XLSX = FileKind(
    "xlsx",
    "Excel (xlsx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
DOCX = FileKind(
    "docx",
    "Word (docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
# What the portal accepts as a supporting document (report attachments, progress-note files).
DOCUMENTS: tuple[FileKind, ...] = (PDF, XLSX, DOCX, PNG, JPEG)
KINDS_BY_CONTENT_TYPE = {kind.content_type: kind for kind in DOCUMENTS}


def accept_attribute(kinds: Iterable[FileKind] = DOCUMENTS) -> str:
    """The `accept` attribute of a file input (a hint for the browser's picker, not a check)."""
    return ",".join(ext for kind in kinds for ext in kind.extensions)


def _zip_parts(file) -> set[str] | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)


def sniff(content, kinds: Iterable[FileKind] = DOCUMENTS) -> FileKind | None:
    """The kind of `content` (bytes or a seekable binary file, left at its start) among `kinds`,
    or None when it is none of them. Only the content is read, never a name."""
    file = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    found = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"PK\x03\x04"):
        parts = _zip_parts(file)
        if parts and "[Content_Types].xml" in parts:
            if "xl/workbook.xml" in parts:
                found = XLSX
            elif "word/document.xml" in parts:
                found = DOCX
    return found if found in tuple(kinds) else None


def clean_filename(name: str | None) -> str:
    """A name fit to show and offer on download: no directories, limited length."""
    base = os.path.basename((name or "").replace("\\", "/")).strip() or DEFAULT_NAME
    stem, ext = os.path.splitext(base)
    return stem[: NAME_MAX - len(ext)] + ext


def name_for(name: str | None, kind: FileKind | None) -> str:
    """The cleaned name with the extension of the content's kind: PNG bytes named `evil.html`
    become `evil.png`, a PDF named `scan` becomes `scan.pdf`; a right extension is kept as typed."""
    cleaned = clean_filename(name)
    if kind is None:
        return cleaned
    stem, ext = os.path.splitext(cleaned)
    if ext.lower() in kind.extensions:
        return cleaned
    if cleaned == DEFAULT_NAME or not stem:
        stem = DEFAULT_NAME
    return stem[: NAME_MAX - len(kind.extension)] + kind.extension


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed `check_upload`: its kind, its cleaned name (as the user named it,
    for display), size and hash."""

    kind: FileKind
    name: str
    size: int
    sha256: str

    @property
    def safe_name(self) -> str:
        """The name to store and offer on download: with the extension of the content's kind."""
        return name_for(self.name, self.kind)


def sha256_of(upload) -> str:
    """The SHA-256 of an uploaded file's content (read in chunks; the file is left at its start)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_upload(
    upload,
    *,
    field: str,
    max_bytes: int,
    kinds: Iterable[FileKind] = DOCUMENTS,
    name_must_match: bool = False,
) -> CheckedUpload:
    """Accept an uploaded file by size and content or raise a ValidationError on `field`.

    `name_must_match`: also refuse a file whose name's extension claims another type than its
    content (an extra, friendlier check; the stored name takes the content's extension anyway).
    """
    kinds = tuple(kinds)
    size = upload.size
    if size is not None and size > max_bytes:
        raise ValidationError(
            {
                field: _("The file is %(size)s; attachments may be at most %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
            }
        )
    if not size:
        raise ValidationError({field: _("The file is empty.")})
    kind = sniff(upload, kinds)
    if kind is None:
        raise ValidationError(
            {
                field: _("The file's content is not an accepted type (accepted: %(types)s).")
                % {"types": ", ".join(k.label for k in kinds)}
            }
        )
    if name_must_match:
        ext = os.path.splitext(upload.name or "")[1].lower()
        if ext not in kind.extensions:
            raise ValidationError(
                {
                    field: _("The file's content is %(kind)s but its name ends in “%(ext)s”.")
                    % {"kind": kind.label, "ext": ext or "—"}
                }
            )
    return CheckedUpload(kind=kind, name=clean_filename(upload.name), size=size, sha256=sha256_of(upload))
