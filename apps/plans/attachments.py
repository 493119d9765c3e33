"""Checks on uploaded progress-note attachments: the type is read from the file's content
(magic bytes, and for Office files the parts inside the ZIP), never trusted from its name.
And the download a page or the API gives once it has checked that the user may read the note.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG", "image/png", (".png",))
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
XLSX = FileKind(
    "Excel (xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
DOCX = FileKind(
    "Word (docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
ACCEPTED = (PDF, XLSX, DOCX, PNG, JPEG)
ACCEPT_ATTRIBUTE = ",".join(ext for kind in ACCEPTED for ext in kind.extensions)


def max_bytes() -> int:
    return int(getattr(settings, "PLANS_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes, file) -> FileKind | None:
    """The kind of file by its first bytes; Office files are ZIPs told apart by their parts."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return DOCX
    return None


def inspect_upload(uploaded) -> FileKind:
    """Return the kind of an accepted upload or raise ValidationError on `attachment`."""
    limit = max_bytes()
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            {
                "attachment": _("The file is %(size)s; attachments may be at most %(limit)s.")
                % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
            }
        )
    if not uploaded.size:
        raise ValidationError({"attachment": _("The file is empty.")})
    uploaded.seek(0)
    head = uploaded.read(16)
    kind = sniff(head, uploaded)
    uploaded.seek(0)
    accepted = ", ".join(k.label for k in ACCEPTED)
    if kind is None:
        raise ValidationError(
            {
                "attachment": _("The file's content is not an accepted type (accepted: %(types)s).")
                % {"types": accepted}
            }
        )
    ext = os.path.splitext(uploaded.name or "")[1].lower()
    if ext not in kind.extensions:
        raise ValidationError(
            {
                "attachment": _("The file's content is %(kind)s but its name ends in “%(ext)s”.")
                % {"kind": kind.label, "ext": ext or "—"}
            }
        )
    return kind


def clean_filename(name: str) -> str:
    """The name shown and offered on download: no directories, limited length."""
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "attachment"
    stem, ext = os.path.splitext(base)
    return stem[: 190 - len(ext)] + ext


def download(note) -> FileResponse:
    """The note's file as a download, never cached; Http404 when the file is gone."""
    try:
        handle = note.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=note.attachment_name or "attachment",
        content_type=note.attachment_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
