"""Progress-note attachments: accepted by content (not name), size-limited, stored outside the
media root, and downloadable only through the permission-checked view and API."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from apps.plans import services
from apps.plans.models import ProgressNote

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def xlsx_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(["项目", "进度"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bytes(names) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


DOCX = zip_bytes(["[Content_Types].xml", "word/document.xml", "_rels/.rels"])


def add_note(user, measure, name, content):
    return services.progress_note_add(
        user=user,
        measure=measure,
        date=timezone.localdate(),
        text="See the attached file",
        attachment=SimpleUploadedFile(name, content),
    )


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("ledger.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("memo.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_types_are_stored_privately_with_their_detected_type(
    users, measure, settings, name, content, content_type
):
    note = add_note(users["admin"], measure, name, content if content is not None else xlsx_bytes())
    assert note.attachment_type == content_type
    assert note.attachment_name == name
    path = Path(note.attachment.path)
    assert path.is_relative_to(Path(settings.PLANS_PRIVATE_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert name not in path.name  # stored under a random name
    with pytest.raises(ValueError):
        note.attachment.url  # no public URL at all  # noqa: B018


@pytest.mark.parametrize(
    "name, content",
    [
        ("report.pdf", b"just some text pretending to be a PDF"),
        ("photo.png", b"MZ\x90\x00 an executable"),
        ("ledger.xlsx", zip_bytes(["readme.txt"])),  # a ZIP, but not a workbook
        ("ledger.xlsx", b"PK\x03\x04 broken zip"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_files_are_rejected_by_their_content(users, measure, settings, name, content):
    with pytest.raises(ValidationError) as exc:
        add_note(users["admin"], measure, name, content)
    assert "attachment" in exc.value.message_dict
    assert not ProgressNote.objects.exists()
    assert not Path(settings.PLANS_PRIVATE_ROOT).exists() or not any(
        Path(settings.PLANS_PRIVATE_ROOT).rglob("*.*")
    )


def test_content_and_name_must_agree(users, measure):
    with pytest.raises(ValidationError) as exc:
        add_note(users["admin"], measure, "photo.png", PDF)
    assert "PDF" in exc.value.message_dict["attachment"][0]


def test_size_limit(users, measure, settings):
    settings.PLANS_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        add_note(users["admin"], measure, "big.pdf", PDF + b"0" * 1000)
    assert "at most" in exc.value.message_dict["attachment"][0]
    assert not ProgressNote.objects.exists()
    assert add_note(users["admin"], measure, "small.pdf", PDF).attachment_size == len(PDF)


def test_default_size_limit_is_ten_megabytes(users, measure):
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError):
        add_note(users["admin"], measure, "big.pdf", big)


@pytest.fixture
def note(users, measure):
    return add_note(users["admin"], measure, "report.pdf", PDF)


@pytest.mark.parametrize("who", ["admin", "province", "congress", "nanchang", "donghu", "ecology_donghu"])
def test_download_for_readers_of_the_measure(client, users, note, who):
    client.force_login(users[who])
    response = client.get(reverse("plans:note-attachment", args=[note.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["jiujiang", "industry_jiujiang"])
def test_download_refused_outside_the_read_scope(client, users, note, who):
    client.force_login(users[who])
    assert client.get(reverse("plans:note-attachment", args=[note.pk])).status_code == 404


def test_download_needs_login(client, note):
    response = client.get(reverse("plans:note-attachment", args=[note.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_api_download_is_permission_checked(users, note):
    api = APIClient()
    url = f"/api/v1/sector-plans/{note.measure.plan_id}/progress-notes/{note.pk}/attachment/"
    assert api.get(url).status_code == 401
    api.force_authenticate(users["jiujiang"])
    assert api.get(url).status_code == 404
    api.force_authenticate(users["donghu"])
    response = api.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    listed = api.get(f"/api/v1/sector-plans/{note.measure.plan_id}/progress-notes/").json()["results"][0]
    assert listed["attachment_url"] == url


def test_api_upload_rejects_content_with_a_field_error(users, measure):
    api = APIClient()
    api.force_authenticate(users["industry_nanchang"])
    url = f"/api/v1/sector-plans/{measure.plan_id}/progress-notes/"
    bad = SimpleUploadedFile("report.pdf", b"not a pdf")
    response = api.post(
        url, {"measure": measure.pk, "date": timezone.localdate(), "attachment": bad}, format="multipart"
    )
    assert response.status_code == 400
    assert "attachment" in response.json()["errors"]
    good = SimpleUploadedFile("report.pdf", PDF)
    response = api.post(
        url, {"measure": measure.pk, "date": timezone.localdate(), "attachment": good}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attachment_type"] == "application/pdf"


def test_ui_upload_error_keeps_the_form_input(client, users, measure):
    client.force_login(users["industry_nanchang"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("plans:note-add", args=[measure.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "text": "My careful report",
            "attachment": SimpleUploadedFile("a.pdf", b"nope"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "My careful report" in html
    assert "not an accepted type" in html
    assert not ProgressNote.objects.exists()
