"""The safe download: attachment, the sniffed type and its extension, nosniff, no caching;
private storage without a URL. (Who may download is the caller's decision.)"""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from apps.core.attachments import PrivateStorage, download_name, download_response
from apps.reports.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def storage():
    return PrivateStorage("things", "THINGS_PRIVATE_ROOT")


def stored_file(storage, name: str, content: bytes):
    """A FieldFile over `storage`, as a model's FileField gives one."""
    field = Attachment._meta.get_field("file")
    instance = Attachment()
    fieldfile = field.attr_class(instance, field, storage.save(name, ContentFile(content)))
    fieldfile.storage = storage
    return fieldfile


def test_private_storage_lives_outside_media_and_has_no_url(settings, storage, tmp_path):
    assert Path(storage.location) == Path(settings.PRIVATE_FILES_ROOT) / "things"
    assert not Path(storage.location).is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storage.url("x.pdf")
    settings.THINGS_PRIVATE_ROOT = tmp_path / "elsewhere"
    assert Path(storage.location) == tmp_path / "elsewhere"  # read on every use


def test_private_storage_deconstructs_with_its_arguments(storage):
    path, args, kwargs = storage.deconstruct()
    assert path == "apps.core.attachments.PrivateStorage"
    assert args == ("things", "THINGS_PRIVATE_ROOT") and kwargs == {}


def test_png_bytes_named_html_are_downloaded_as_png(storage):
    response = download_response(stored_file(storage, "a", PNG), name="evil.html", content_type="image/png")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="evil.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(response.streaming_content) == PNG


def test_download_of_a_missing_file_is_404(storage):
    fieldfile = stored_file(storage, "a", PNG)
    storage.delete(fieldfile.name)
    with pytest.raises(Http404):
        download_response(fieldfile, name="a.png", content_type="image/png")


def test_download_name_keeps_a_right_extension_and_unknown_types():
    assert download_name("Scan.PNG", "image/png") == "Scan.PNG"
    assert download_name("summary.html", "text/html") == "summary.html"
    assert download_name("../x/report", "application/pdf") == "report.pdf"
