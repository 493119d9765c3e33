"""Frozen editions: the hash is stable for the same content and differs for other content, an
issued edition never changes, editions of a subject are numbered upwards and corrections
supersede, and verification finds any tampering (in the row or in a stored file)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from apps.core import editions
from apps.core.editions import RenderedFile
from apps.core.models import FrozenEdition, FrozenError, FrozenFile

pytestmark = pytest.mark.django_db

FIGURES = {
    "region": "360000",
    "year": 2025,
    "intensity_drop": Decimal("3.2500"),
    "rows": [{"metric": "co2", "value": Decimal("1234.5")}, {"metric": "energy", "value": 17}],
}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture
def official():
    return get_user_model().objects.create_user("issuer", password="x")


def issue(user, subject="360000/2025", figures=FIGURES, files=(), **kwargs):
    return editions.edition_issue(
        user=user,
        kind="oversight.summary",
        subject_key=subject,
        figures=figures,
        data_version="数据版本 #412 · 2026-11-30 02:31 · 规范 v1.1",
        files=files,
        **kwargs,
    )


# --- hashing -------------------------------------------------------------------------------------


def test_canonical_json_ignores_key_order_and_keeps_decimals_exact():
    a = {"b": Decimal("1.50"), "a": [1, {"y": "粤", "x": None}]}
    b = {"a": [1, {"x": None, "y": "粤"}], "b": Decimal("1.50")}
    assert (
        editions.canonical_json(a) == editions.canonical_json(b) == '{"a":[1,{"x":null,"y":"粤"}],"b":"1.50"}'
    )


def test_figures_hash_is_stable_for_the_same_content_and_differs_for_other(official):
    first = issue(official, subject="A")
    same = issue(official, subject="B", figures=dict(reversed(list(FIGURES.items()))))
    other = issue(official, subject="C", figures={**FIGURES, "intensity_drop": Decimal("3.2501")})
    assert first.figures_sha256 == same.figures_sha256
    assert first.figures_sha256 != other.figures_sha256
    assert first.sha256 != same.sha256  # the edition's seal also covers its subject
    assert first.figures == {
        **FIGURES,
        "intensity_drop": "3.2500",
        "rows": [{"metric": "co2", "value": "1234.5"}, {"metric": "energy", "value": 17}],
    }


def test_files_are_stored_privately_with_their_hash(official, settings):
    html = "<h1>监督摘要</h1>".encode()
    edition = issue(
        official,
        files=[
            RenderedFile("summary.pdf", PDF, "application/pdf"),
            RenderedFile("../summary.html", html, "text/html"),
        ],
    )
    stored = {f.name: f for f in edition.files.all()}
    assert set(stored) == {"summary.pdf", "summary.html"}
    assert stored["summary.pdf"].sha256 == editions.sha256_hex(PDF)
    assert stored["summary.pdf"].size == len(PDF)
    assert stored["summary.html"].file.read() == html
    path = Path(stored["summary.pdf"].file.path)
    assert path.is_relative_to(Path(settings.EDITIONS_PRIVATE_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        stored["summary.pdf"].file.url  # noqa: B018  (downloads only through a checked view)
    again = issue(official, subject="other", files=[RenderedFile("summary.pdf", PDF, "application/pdf")])
    assert again.files.get().sha256 == stored["summary.pdf"].sha256


# --- immutability ----------------------------------------------------------------------------------


def test_an_issued_edition_cannot_be_changed_or_deleted(official):
    edition = issue(official, files=[RenderedFile("summary.pdf", PDF, "application/pdf")])
    edition.title = "changed"
    with pytest.raises(FrozenError):
        edition.save()
    with pytest.raises(FrozenError):
        edition.delete()
    with pytest.raises(FrozenError):
        FrozenEdition.objects.filter(pk=edition.pk).update(title="changed")
    with pytest.raises(FrozenError):
        FrozenEdition.objects.filter(pk=edition.pk).delete()
    with pytest.raises(FrozenError):
        FrozenEdition.objects.bulk_update([edition], ["title"])
    row = edition.files.get()
    row.name = "other.pdf"
    with pytest.raises(FrozenError):
        row.save()
    with pytest.raises(FrozenError):
        row.delete()
    with pytest.raises(FrozenError):
        FrozenFile.objects.all().delete()
    assert FrozenEdition.objects.get(pk=edition.pk).title == ""
    assert editions.edition_verify(edition).ok


def test_the_issuer_cannot_be_deleted_while_an_edition_names_them(official):
    from django.db.models import ProtectedError

    issue(official)
    with pytest.raises(ProtectedError):
        official.delete()


# --- numbering and corrections -------------------------------------------------------------------


def test_edition_numbers_increase_per_subject_and_corrections_supersede(official):
    first = issue(official)
    other_subject = issue(official, subject="360100/2025")
    second = issue(
        official, figures={**FIGURES, "year": 2025, "fixed": True}, correction_reason="Typo in co2"
    )
    third = issue(official, correction_reason="Recomputed with spec v1.1")
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert other_subject.number == 1
    assert second.supersedes == first and third.supersedes == second
    assert first.supersedes is None and first.correction_reason == ""
    assert FrozenEdition.objects.get(pk=first.pk).superseded_by == second
    assert editions.edition_current("oversight.summary", "360000/2025") == third
    assert list(editions.editions_of("oversight.summary", "360000/2025")) == [first, second, third]
    # the earlier editions are untouched by the corrections
    assert editions.edition_verify(first).ok and editions.edition_verify(second).ok


def test_a_new_edition_must_say_why(official):
    issue(official)
    with pytest.raises(ValidationError) as exc:
        issue(official)
    assert "correction_reason" in exc.value.message_dict
    assert FrozenEdition.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": " "}, "kind"),
        ({"subject_key": ""}, "subject_key"),
        ({"data_version": ""}, "data_version"),
        ({"figures": {"x": float("nan")}}, "figures"),
        ({"figures": {"x": object()}}, "figures"),
        (
            {
                "files": [
                    RenderedFile("a.pdf", PDF, "application/pdf"),
                    RenderedFile("a.pdf", b"x", "text/plain"),
                ]
            },
            "files",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(official, changes, field):
    arguments = {
        "user": official,
        "kind": "oversight.summary",
        "subject_key": "360000/2025",
        "figures": FIGURES,
        "data_version": "#412",
        **changes,
    }
    with pytest.raises(ValidationError) as exc:
        editions.edition_issue(**arguments)
    assert field in exc.value.message_dict
    assert not FrozenEdition.objects.exists() and not FrozenFile.objects.exists()


def test_an_anonymous_user_issues_nothing(official):
    from django.contrib.auth.models import AnonymousUser

    for user in (None, AnonymousUser()):
        with pytest.raises(ValidationError):
            issue(user)
    assert not FrozenEdition.objects.exists()


# --- verification ----------------------------------------------------------------------------------


def _raw_update(sql: str, params) -> None:
    """Tampering as someone with database access would do it, past the ORM's refusals."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verification_finds_changed_figures(official):
    edition = issue(official)
    assert editions.edition_verify(edition).ok
    tampered = edition.figures_json.replace("3.2500", "4.2500")
    _raw_update("UPDATE core_frozenedition SET figures_json = %s WHERE id = %s", [tampered, edition.pk])
    result = editions.edition_verify(edition)
    assert not result.ok
    assert any("figures" in p for p in result.problems)


def test_verification_finds_figures_changed_together_with_their_hash(official):
    edition = issue(official)
    tampered = edition.figures_json.replace("3.2500", "4.2500")
    _raw_update(
        "UPDATE core_frozenedition SET figures_json = %s, figures_sha256 = %s WHERE id = %s",
        [tampered, editions.sha256_hex(tampered), edition.pk],
    )
    result = editions.edition_verify(edition)
    assert result.problems == ("The edition's record differs from the one issued.",)


def test_verification_finds_a_changed_field(official):
    edition = issue(official)
    _raw_update("UPDATE core_frozenedition SET data_version = %s WHERE id = %s", ["#413", edition.pk])
    assert not editions.edition_verify(edition).ok


def test_verification_finds_a_changed_or_missing_file(official):
    edition = issue(
        official,
        files=[
            RenderedFile("summary.pdf", PDF, "application/pdf"),
            RenderedFile("a.html", b"<p>1</p>", "text/html"),
        ],
    )
    pdf, html = edition.files.get(name="summary.pdf"), edition.files.get(name="a.html")
    Path(pdf.file.path).write_bytes(PDF.replace(b"1.7", b"1.6"))
    Path(html.file.path).unlink()
    result = editions.edition_verify(edition)
    assert result.problems == (
        "The file a.html is missing.",
        "The file summary.pdf differs from the one issued.",
    )


def test_verification_of_an_intact_edition_with_files(official):
    edition = issue(official, files=[RenderedFile("summary.pdf", PDF, "application/pdf")])
    result = editions.edition_verify(edition)
    assert result.ok and result.problems == ()
