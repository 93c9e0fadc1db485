"""Supervision: what a worker shares, the feedback on it, and the records of supervision.

A supervisor reaches a reflection only through an open `Share` to them while their
supervision link with its author is active; ending the link or withdrawing the share ends
that access at once, because access is checked on every request (reflections/access.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, SupervisionLink
from framework.models import Context
from reflections.models import Reflection


class Share(models.Model):
    """A reflection a worker has chosen to bring to one supervisor."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="shares")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_received"
    )
    link = models.ForeignKey(SupervisionLink, on_delete=models.CASCADE, related_name="shares")
    shared_at = models.DateTimeField(_("shared"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    discussed_at = models.DateTimeField(_("discussed"), null=True, blank=True)
    # When the supervisor first opened the shared reflection: until then it is new to them.
    opened_at = models.DateTimeField(_("first opened by the supervisor"), null=True, blank=True)

    class Meta:
        ordering = ["-shared_at"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "supervisor"],
                condition=Q(withdrawn_at__isnull=True),
                name="share_one_open_per_reflection_and_supervisor",
            )
        ]
        indexes = [
            models.Index(fields=["supervisor", "withdrawn_at", "-shared_at"]),
            models.Index(fields=["link", "withdrawn_at"]),
        ]

    def __str__(self) -> str:
        # Names the reflection by number: a person label is reflection content, and this text
        # shows in the admin's titles and in logs.
        return f"Reflection #{self.reflection_id} shared with {self.supervisor}"

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None


class Comment(models.Model):
    """Feedback on a shared reflection, visible to the worker and the supervisor; threaded."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # When the reflection's author first saw the comment on their reflection's feedback panel:
    # until then it is new to them. Their own comments are seen as they are written.
    worker_seen_at = models.DateTimeField(
        _("seen by the reflection's author"), null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["reflection", "created_at"]),
            # The dashboard asks for the few comments not seen yet; a partial index keeps
            # that lookup small however long the threads grow.
            models.Index(
                fields=["reflection"],
                condition=Q(worker_seen_at__isnull=True),
                name="comment_unseen_by_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on reflection #{self.reflection_id}"


class SupervisionRecord(models.Model):
    """What happened in one supervision meeting, signed off by both people.

    Once both have signed it is locked. A change after sign-off makes a new record that points
    back at the one it replaces (`previous`), so the signed version is never rewritten.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="supervision_records"
    )
    link = models.ForeignKey(SupervisionLink, on_delete=models.PROTECT, related_name="records")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records_as_worker"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records_as_supervisor"
    )
    held_on = models.DateField(_("date of supervision"))
    attendees = models.CharField(_("who attended"), max_length=300, blank=True)
    reflections = models.ManyToManyField(
        Reflection, blank=True, related_name="supervision_records", verbose_name=_("discussed")
    )
    explored = models.TextField(_("what was explored"), max_length=4000, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    worker_signed_at = models.DateTimeField(_("signed by the worker"), null=True, blank=True)
    supervisor_signed_at = models.DateTimeField(
        _("signed by the supervisor"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision record")
        verbose_name_plural = _("supervision records")
        indexes = [
            models.Index(fields=["worker", "-held_on"]),
            models.Index(fields=["supervisor", "-held_on"]),
        ]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on:%d %b %Y} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("supervision:record", kwargs={"pk": self.pk})

    @property
    def is_locked(self) -> bool:
        return self.worker_signed_at is not None and self.supervisor_signed_at is not None


class SupervisionCheck(models.Model):
    """A short APPEAR check of the supervision itself: was it accepting, empowering… for the worker?"""

    class Rating(models.IntegerChoices):
        NOT_REALLY = 0, _("Not really")
        SOMEWHAT = 1, _("Somewhat")
        MOSTLY = 2, _("Mostly")
        FULLY = 3, _("Fully")

    record = models.ForeignKey(SupervisionRecord, on_delete=models.CASCADE, related_name="checks")
    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=Rating.choices, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["context__order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "context"], name="check_one_per_context")
        ]

    def __str__(self) -> str:
        return f"{self.context}: {self.get_rating_display()}"


class RecordAction(models.Model):
    """An action agreed in supervision, with an owner and a due date."""

    record = models.ForeignKey(SupervisionRecord, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_actions"
    )
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at"]),
            # The dashboard and the brief list the open actions of one supervisor's current
            # records: from those records to their few open actions, never through them all.
            models.Index(
                fields=["record"], condition=Q(done_at__isnull=True), name="recordaction_open"
            ),
        ]

    def __str__(self) -> str:
        return self.text
