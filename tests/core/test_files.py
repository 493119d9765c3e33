"""One sniffer: the type comes from the content, never the name; names get the content's extension."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from apps.core import files

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, kind",
    [
        (PDF, files.PDF),
        (PNG, files.PNG),
        (JPEG, files.JPEG),
        (xlsx_bytes(), files.XLSX),
        (zip_of("[Content_Types].xml", "word/document.xml"), files.DOCX),
        (b"<html><script>alert(1)</script></html>", None),
        (b"MZ\x90\x00 an executable", None),
        (zip_of("readme.txt"), None),
        (zip_of("[Content_Types].xml", "ppt/presentation.xml"), None),
        (b"PK\x03\x04 broken", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_content(content, kind):
    assert files.sniff(content) is kind
    upload = SimpleUploadedFile("whatever.pdf", content)
    assert files.sniff(upload) is kind
    assert upload.tell() == 0  # left at the start for whoever stores it


def test_sniff_only_among_the_kinds_asked_for():
    assert files.sniff(PNG, kinds=(files.PDF,)) is None
    assert files.sniff(PDF, kinds=(files.PDF,)) is files.PDF


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("evil.html", files.PNG, "evil.png"),
        ("report.pdf", files.PDF, "report.pdf"),
        ("scan.PNG", files.PNG, "scan.PNG"),
        ("photo.jpeg", files.JPEG, "photo.jpeg"),
        ("photo.gif", files.JPEG, "photo.jpg"),
        ("no-extension", files.PDF, "no-extension.pdf"),
        ("../../etc/passwd", files.PDF, "passwd.pdf"),
        ("C:\\Users\\me\\plan.docx", files.DOCX, "plan.docx"),
        ("", files.XLSX, "attachment.xlsx"),
        (None, files.PDF, "attachment.pdf"),
        ("x" * 300 + ".html", files.PDF, "x" * 185 + ".pdf"),  # the length fits the field
    ],
)
def test_names_get_the_extension_of_the_content(name, kind, expected):
    assert files.name_for(name, kind) == expected


def test_check_upload_accepts_by_content_and_hashes():
    checked = files.check_upload(SimpleUploadedFile("evil.html", PNG), field="file", max_bytes=1000)
    assert checked.kind is files.PNG
    assert checked.name == "evil.html"  # as the user named it, for display
    assert checked.safe_name == "evil.png"  # stored and downloaded under the content's type
    assert checked.size == len(PNG)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    "name, content, max_bytes, message",
    [
        ("a.pdf", PDF, 10, "at most"),
        ("a.pdf", b"", 1000, "empty"),
        ("a.pdf", b"just text", 1000, "not an accepted type"),
    ],
)
def test_check_upload_refuses_with_a_field_error(name, content, max_bytes, message):
    with pytest.raises(ValidationError) as exc:
        files.check_upload(SimpleUploadedFile(name, content), field="upload", max_bytes=max_bytes)
    assert message in exc.value.message_dict["upload"][0]


def test_a_name_claiming_another_type_is_refused_only_when_asked():
    upload = SimpleUploadedFile("photo.png", PDF)
    assert files.check_upload(upload, field="f", max_bytes=1000).kind is files.PDF
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload, field="f", max_bytes=1000, name_must_match=True)
    assert "PDF" in exc.value.message_dict["f"][0]


def test_accept_attribute_lists_every_extension():
    assert files.accept_attribute() == ".pdf,.xlsx,.docx,.png,.jpg,.jpeg"
