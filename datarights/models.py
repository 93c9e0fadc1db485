"""Data rights (export, import, erasure, retention) and the record of background work.

An export belongs to the person who asked for it and lives only until it is downloaded once or
expires. A failed task keeps a plain summary for the organisation admin, never the content of
what failed (no e-mail body, no reflection text).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class FailedTask(models.Model):
    """A background task that gave up after its retries, shown to the organisation admin."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="failed_tasks",
    )
    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    summary = models.CharField(_("what it was doing"), max_length=300)
    error = models.CharField(_("last error"), max_length=500)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    failed_at = models.DateTimeField(_("gave up"), default=timezone.now)

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        indexes = [models.Index(fields=["organisation", "-failed_at"])]

    def __str__(self) -> str:
        return f"{self.task_name} failed at {self.failed_at:%Y-%m-%d %H:%M}"


class Export(models.Model):
    """A worker's request for a ZIP of everything that is theirs, made in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready to download")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("items to write"), default=0)
    done = models.PositiveIntegerField(_("items written"), default=0)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    # Relative to settings.EXPORT_ROOT; random, so one person cannot guess another's file.
    file_name = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-requested_at"])]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def is_in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def status_label(self) -> str:
        """The status as shown: a ready export past its expiry reads as expired."""
        if self.status == self.Status.READY and not self.is_downloadable:
            return str(self.Status.EXPIRED.label)
        return str(self.get_status_display())

    @property
    def percent(self) -> int:
        if self.status in {self.Status.READY, self.Status.DOWNLOADED}:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class Import(models.Model):
    """One export ZIP brought into an organisation, so the same file is not imported twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_imports"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    export_id = models.CharField(_("export identifier"), max_length=64)
    reflections = models.PositiveIntegerField(_("reflections imported"), default=0)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "export_id"], name="import_once_per_export")
        ]

    def __str__(self) -> str:
        return f"Import of {self.export_id}"


class Erasure(models.Model):
    """An erasure asked for and not yet carried out. The row goes with the person it erases."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    # Who asked: the person themselves, or an organisation admin (kept only until it is done).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"Erasure requested {self.requested_at:%Y-%m-%d}"


class RetentionPolicy(models.Model):
    """How long an organisation keeps each kind of material (docs/retention.md).

    Without a row the defaults below apply. Audit events are never kept less than
    AUDIT_MINIMUM_DAYS, whatever is entered.
    """

    DEFAULT_REFLECTION_DAYS = 6 * 365
    DEFAULT_RECORD_DAYS = 6 * 365
    DEFAULT_AUDIT_DAYS = 6 * 365
    AUDIT_MINIMUM_DAYS = 2 * 365
    MINIMUM_DAYS = 30
    MAXIMUM_DAYS = 50 * 365

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="retention_policy"
    )
    reflection_days = models.PositiveIntegerField(
        _("keep submitted reflections for (days after submission)"),
        default=DEFAULT_REFLECTION_DAYS,
    )
    record_days = models.PositiveIntegerField(
        _("keep supervision records for (days after the meeting)"), default=DEFAULT_RECORD_DAYS
    )
    audit_days = models.PositiveIntegerField(
        _("keep audit events for (days)"), default=DEFAULT_AUDIT_DAYS
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audit_days__gte=2 * 365), name="retention_audit_minimum"
            ),
        ]

    def __str__(self) -> str:
        return f"Retention for {self.organisation}"
