"""Attachments: files kept in private storage and handed out only as safe downloads.

Storing: `files.check_upload` accepts a file by its content; the app's model keeps it in a
`PrivateStorage` (outside MEDIA_ROOT, no URL). Downloading: the caller decides whether the user
may read the object (scoping stays with the app) and passes the already-authorised file to
`download_response`, which sends it as an attachment under a name with the extension of its
real type, with its content type, `nosniff` and no caching.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from .files import KINDS_BY_CONTENT_TYPE, name_for


class PrivateStorage(FileSystemStorage):
    """Files read only through permission-checked views, never by URL.

    Location: the setting named `root_setting` when it is set, else PRIVATE_FILES_ROOT/`subdir`
    (outside MEDIA_ROOT, so no media server ever serves them). Read on every use, so tests
    and deployments can move it.
    """

    def __init__(self, subdir: str, root_setting: str | None = None):
        super().__init__()
        self.subdir = subdir
        self.root_setting = root_setting

    @property
    def base_location(self):
        configured = getattr(settings, self.root_setting, None) if self.root_setting else None
        return str(configured) if configured else str(Path(settings.PRIVATE_FILES_ROOT) / self.subdir)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None  # no URL: downloads go through a permission-checked view


def download_name(name: str, content_type: str) -> str:
    """The name a stored file is offered under: the extension follows its (sniffed) type."""
    return name_for(name, KINDS_BY_CONTENT_TYPE.get(content_type))


def download_response(file: FieldFile, *, name: str, content_type: str) -> FileResponse:
    """The file as a download. The caller has already checked that the user may read it.

    `content_type` is the type sniffed when the file was stored; the offered name gets its
    extension; browsers are told not to guess another type nor keep a copy. Http404 when the
    stored file is gone.
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(name, content_type), content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Opened in a browser anyway, a file runs nothing and reaches nothing (the portal's page
    # policy of django-csp is replaced by this stricter one).
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response._csp_exempt = True
    return response
