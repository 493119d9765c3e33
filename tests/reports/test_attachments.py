"""Attachments: type by content (not name), size cap, private storage, revisions keep files."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from apps.reports import services
from apps.reports.models import ReportStatus
from tests.factories import make_report

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def add(user, report, name, content):
    return services.attachment_add(user=user, report=report, upload=SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("a.pdf", PDF, "application/pdf"),
        ("scan.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("table.xlsx", xlsx_bytes(), "spreadsheetml"),
        ("text.docx", docx_bytes(), "wordprocessingml"),
        ("no-extension", PDF, "application/pdf"),  # the content decides, not the name
    ],
)
def test_accepted_types_are_recognised_by_content(users, name, content, kind):
    report = make_report("360102", 2024)
    attachment = add(users["donghu"], report, name, content)
    assert kind in attachment.content_type
    assert attachment.original_name == name and attachment.size == len(content)
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    "name, content",
    [
        ("virus.pdf", b"MZ\x90\x00 this is an executable"),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("archive.xlsx", b"PK\x03\x04 not really a zip"),
        ("plain.zip.docx", None),
    ],
)
def test_other_content_is_refused_whatever_the_name(users, name, content):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        content = buffer.getvalue()
    report = make_report("360102", 2024)
    with pytest.raises(ValidationError) as exc:
        add(users["donghu"], report, name, content)
    assert "file" in exc.value.message_dict
    assert not report.attachments.exists()


def test_size_cap_and_empty_files(users, monkeypatch):
    report = make_report("360102", 2024)
    monkeypatch.setattr(services, "ATTACHMENT_MAX_BYTES", 100)
    with pytest.raises(ValidationError):
        add(users["donghu"], report, "big.pdf", PDF + b"0" * 200)
    with pytest.raises(ValidationError):
        add(users["donghu"], report, "empty.pdf", b"")


def test_files_are_stored_in_the_private_root_under_a_name_not_from_the_user(users):
    report = make_report("360102", 2024)
    attachment = add(users["donghu"], report, "../../etc/passwd.pdf", PDF)
    path = Path(attachment.file.path)
    assert Path(settings.REPORTS_PRIVATE_ROOT) in path.parents
    assert "passwd" not in path.name and path.suffix == ".pdf"
    assert attachment.original_name == "passwd.pdf"
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018  (no public URL: only the permission-checked view)


def test_default_private_root_is_the_private_files_volume_outside_media(settings):
    from apps.reports.models import private_storage

    del settings.REPORTS_PRIVATE_ROOT
    assert Path(private_storage().location) == Path(settings.PRIVATE_FILES_ROOT) / "reports"
    assert not Path(private_storage().location).is_relative_to(Path(settings.MEDIA_ROOT))


@pytest.mark.parametrize("who", ["xihu", "nanchang", "province"])
def test_only_the_regions_staff_attach_files(users, who):
    report = make_report("360102", 2024)
    with pytest.raises(PermissionDenied):
        add(users[who], report, "a.pdf", PDF)


def test_removing_a_file_from_a_revision_keeps_it_for_the_approved_report(users):
    report = make_report("360102", 2024)
    attachment = add(users["donghu"], report, "a.pdf", PDF)
    report.status = ReportStatus.APPROVED
    report.save()
    revision = services.report_open_revision(user=users["donghu"], report=report, reason="fix")
    copy = revision.attachments.get()
    assert copy.file.name == attachment.file.name
    services.attachment_remove(user=users["donghu"], attachment=copy)
    assert report.attachments.get().file.read() == PDF
    with pytest.raises(PermissionDenied):
        services.attachment_remove(user=users["xihu"], attachment=report.attachments.get())


def test_png_bytes_named_html_are_downloaded_as_png_from_the_page_and_the_api(client, users):
    """The offered name follows the content's type, so a browser never treats the file as HTML."""
    from rest_framework.test import APIClient

    report = make_report("360102", 2024)
    attachment = add(users["donghu"], report, "evil.html", PNG)
    assert attachment.original_name == "evil.html" and attachment.file.name.endswith(".png")
    api = APIClient()
    api.force_authenticate(users["donghu"])
    client.force_login(users["donghu"])
    for response in (
        client.get(f"/reports/{report.pk}/attachments/{attachment.pk}/"),
        api.get(f"/api/v1/reports/{report.pk}/attachments/{attachment.pk}/"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == 'attachment; filename="evil.png"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"  # through the middleware
        assert b"".join(response.streaming_content) == PNG
