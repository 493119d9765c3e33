"""Models every app may build on: the abstract event of a timeline, and frozen editions.

Nothing here knows another portal app: a frozen edition names its subject by a key the issuing
app chooses, and a timeline's concrete model (in the app) adds the foreign key to its object.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .attachments import PrivateStorage

KIND_MAX_LENGTH = 20


class TimelineEvent(models.Model):
    """Who did what to the subject, when and why; `data` holds what the kind needs to be told
    (values changed, a file's name and hash). Events are appended, never edited."""

    # The foreign key (on the concrete model) to the object whose timeline this is.
    subject_field = "subject"

    kind = models.CharField(_("event"), max_length=KIND_MAX_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{getattr(self, self.subject_field)} {self.kind}"

    @property
    def actor_label(self) -> str:
        """The actor's full name or user name; "" for the system (no actor)."""
        if self.actor is None:
            return ""
        return self.actor.get_full_name() or self.actor.get_username()


class FrozenError(RuntimeError):
    """An issued edition (or one of its files) was about to be changed or deleted."""


class FrozenQuerySet(models.QuerySet):
    """Bulk changes bypass `save()`/`delete()`, so they are refused here too."""

    def update(self, **kwargs):
        raise FrozenError(f"{self.model.__name__} rows are frozen: issue a new edition instead.")

    def delete(self):
        raise FrozenError(f"{self.model.__name__} rows are frozen: issue a new edition instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise FrozenError(f"{self.model.__name__} rows are frozen: issue a new edition instead.")


class FrozenModel(models.Model):
    """A row that is written once and never changed or deleted (by the ORM)."""

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError(f"{type(self).__name__} {self.pk} is frozen: issue a new edition instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"{type(self).__name__} {self.pk} is frozen and cannot be deleted.")


class FrozenEdition(FrozenModel):
    """One issued edition of a document people cite (an oversight summary, a notice, a
    publication): its figures and rendered files as they were when issued, with their SHA-256.

    Later recomputes never change it; a correction is a new edition of the same subject
    (number + 1) that `supersedes` the previous one and says why. Written only by
    `editions.edition_issue`; `editions.edition_verify` re-checks the hashes.
    """

    kind = models.CharField(_("kind"), max_length=50)  # e.g. "oversight.summary"
    subject_key = models.CharField(_("subject"), max_length=200)  # e.g. "360000/2025"
    number = models.PositiveIntegerField(_("edition"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    # The figures as canonical JSON text (sorted keys, no spaces, decimals as strings): the
    # exact bytes that were hashed, so no database JSON type can re-order or re-type them.
    figures_json = models.TextField(_("figures"))
    figures_sha256 = models.CharField(_("SHA-256 of the figures"), max_length=64)
    data_version = models.CharField(_("data version"), max_length=200)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for the new edition"), blank=True)
    # Over every field above and each file's name, type, size and SHA-256 (editions.seal_of).
    sha256 = models.CharField(_("SHA-256 of the edition"), max_length=64)

    class Meta:
        ordering = ["kind", "subject_key", "number"]
        verbose_name = _("frozen edition")
        verbose_name_plural = _("frozen editions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_key", "number"], name="frozen_edition_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="frozen_edition_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_key} #{self.number}"

    @property
    def figures(self):
        """The frozen figures as data (decimals and dates come back as the strings they were stored as)."""
        return json.loads(self.figures_json)


_edition_storage = PrivateStorage("editions", "EDITIONS_PRIVATE_ROOT")


def edition_storage() -> PrivateStorage:
    return _edition_storage


def frozen_file_path(instance: FrozenFile, filename: str) -> str:
    """Named by the edition and the content's hash, never by the user's file name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"editions/{instance.edition_id}/{instance.sha256[:32]}.{extension[:8]}"


class FrozenFile(FrozenModel):
    """A rendered file of an edition (PDF, DOCX, HTML), kept privately with its SHA-256."""

    edition = models.ForeignKey(
        FrozenEdition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="files"
    )
    name = models.CharField(_("file name"), max_length=190)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=frozen_file_path, storage=edition_storage, max_length=200)

    class Meta:
        ordering = ["edition", "name"]
        verbose_name = _("frozen file")
        verbose_name_plural = _("frozen files")
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="frozen_file_name")]

    def __str__(self) -> str:
        return self.name


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    WRITE = "write", _("Change")
    REFUSED = "refused", _("Change refused")
    DOWNLOAD = "download", _("Download")


class AuditEntry(FrozenModel):
    """One line of the audit log: who did what, from where, when (apps/core/audit.py).

    Append-only: the ORM refuses changes and deletions (FrozenModel), and on PostgreSQL a
    trigger refuses UPDATE and DELETE from anyone. The actor is kept by id and name without a
    database constraint, so removing a user never rewrites the log.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices, db_index=True)
    method = models.CharField(_("method"), max_length=8, blank=True)
    path = models.CharField(_("address in the portal"), max_length=500, blank=True)
    view = models.CharField(_("function"), max_length=200, blank=True)
    status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.path}"
