"""People, the organisations they work in, their roles, supervision links and the audit trail."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Custom from the first migration, as Django advises."""

    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("How your name appears to colleagues, e.g. on supervision records."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_display_name()

    def get_display_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Organisation(models.Model):
    """A peer support service, an NHS trust or a charity."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    requires_two_factor = models.BooleanField(
        _("require two-factor sign-in for supervisors and organisation admins"), default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class RoleFlags(models.Model):
    """The four roles, as booleans, shared by a membership and the invitation that creates one."""

    class Role(models.TextChoices):
        PEER_WORKER = "peer_worker", _("Peer worker")
        SUPERVISOR = "supervisor", _("Supervisor")
        TRAINER = "trainer", _("Trainer")
        ORG_ADMIN = "org_admin", _("Organisation admin")

    is_peer_worker = models.BooleanField(_("peer worker"), default=False)
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    is_trainer = models.BooleanField(_("trainer"), default=False)
    is_org_admin = models.BooleanField(_("organisation admin"), default=False)

    ROLE_FIELDS: ClassVar[dict[str, str]] = {
        Role.PEER_WORKER: "is_peer_worker",
        Role.SUPERVISOR: "is_supervisor",
        Role.TRAINER: "is_trainer",
        Role.ORG_ADMIN: "is_org_admin",
    }

    class Meta:
        abstract = True

    @property
    def roles(self) -> list[str]:
        return [role for role, field in self.ROLE_FIELDS.items() if getattr(self, field)]

    @property
    def role_labels(self) -> list[str]:
        return [str(RoleFlags.Role(role).label) for role in self.roles]

    def set_roles(self, roles: Collection[str]) -> None:
        for role, field in self.ROLE_FIELDS.items():
            setattr(self, field, role in roles)


class Membership(RoleFlags):
    """A person's place in an organisation, with the roles they hold there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_per_user_and_organisation"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    def has_role(self, role: str) -> bool:
        return self.is_active and bool(getattr(self, self.ROLE_FIELDS[role]))


class SupervisionLinkQuerySet(models.QuerySet["SupervisionLink"]):
    def active(self) -> SupervisionLinkQuerySet:
        today = timezone.localdate()
        return self.filter(starts_on__lte=today, ended_at__isnull=True)


class SupervisionLink(models.Model):
    """A supervisor supervising a peer worker of the same organisation, for a period."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="supervision_links"
    )
    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervising")
    worker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervised_by")
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SupervisionLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("supervision link")
        verbose_name_plural = _("supervision links")
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("worker")),
                name="supervision_link_not_self",
            ),
            models.UniqueConstraint(
                fields=["supervisor", "worker"],
                condition=Q(ended_at__isnull=True),
                name="supervision_link_one_open_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["supervisor", "ended_at"]),
            models.Index(fields=["worker", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.worker}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.starts_on <= timezone.localdate()

    def clean(self) -> None:
        if self.supervisor_id is not None and self.supervisor_id == self.worker_id:
            raise ValidationError(
                {"worker": _("A person cannot supervise themselves.")}, code="self"
            )


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked, whether or not it has expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self) -> InvitationQuerySet:
        """Open and not yet expired: the link still works."""
        return self.open().filter(expires_at__gt=timezone.now())


class Invitation(RoleFlags):
    """An organisation admin's invitation for one e-mail address to join with given roles.

    Only a SHA-256 hash of the one-time token is stored: the token itself exists only in the
    e-mail, so a copy of the database cannot be used to accept anyone's invitation.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email_and_organisation",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


# What an export event's `detail["export"]` names, in words for the audit trail.
EXPORT_KINDS = {
    "reflection": _("Exported a reflection as a PDF"),
    "supervision_record": _("Exported a supervision record as a PDF"),
    "audit_trail": _("Exported the audit trail as CSV"),
}


class AuditEvent(models.Model):
    """One append-only line of the audit trail.

    Never updated or deleted through the application: `save` refuses an existing row and
    `delete` always refuses, so the trail cannot be rewritten by a bug or an admin action.
    """

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out after repeated failed sign-ins")
        SIGN_OUT = "sign_out", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Changed password")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("Turned on two-factor sign-in")
        TWO_FACTOR_DISABLED = "two_factor_disabled", _("Turned off two-factor sign-in")
        ROLES_CHANGED = "roles_changed", _("Changed roles")
        MEMBER_DEACTIVATED = "member_deactivated", _("Deactivated a member")
        MEMBER_REACTIVATED = "member_reactivated", _("Reactivated a member")
        INVITATION_SENT = "invitation_sent", _("Sent an invitation")
        INVITATION_ACCEPTED = "invitation_accepted", _("Accepted an invitation")
        INVITATION_REVOKED = "invitation_revoked", _("Revoked an invitation")
        LINK_CREATED = "link_created", _("Created a supervision link")
        LINK_ENDED = "link_ended", _("Ended a supervision link")
        REFLECTION_VIEWED = "reflection_viewed", _("Viewed a reflection")
        REFLECTION_SHARED = "reflection_shared", _("Shared a reflection")
        SHARE_WITHDRAWN = "share_withdrawn", _("Withdrew a share")
        REFLECTION_EXPORTED = "reflection_exported", _("Exported")
        REFLECTION_DELETED = "reflection_deleted", _("Deleted a reflection")
        RECORD_SIGNED = "record_signed", _("Signed a supervision record")
        RECORD_VERSIONED = (
            "record_versioned",
            _("Started a new version of a signed supervision record"),
        )
        SETTINGS_CHANGED = "settings_changed", _("Changed organisation settings")
        DATA_EXPORT_REQUESTED = "data_export_requested", _("Asked for an export of their data")
        DATA_EXPORT_DOWNLOADED = "data_export_downloaded", _("Downloaded an export of their data")
        DATA_IMPORTED = "data_imported", _("Imported reflections from an export")
        ERASURE_REQUESTED = "erasure_requested", _("Asked for an account to be erased")
        ACCOUNT_ERASED = "account_erased", _("Erased an account")
        RETENTION_APPLIED = "retention_applied", _("Deleted material past its retention period")
        ADMIN_CHANGED = "admin_changed", _("Changed something in the site admin")
        ADMIN_VIEWED = "admin_viewed", _("Opened material in the site admin")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("what"), max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_actions"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whose material or account the event concerns: lets each person see who looked at theirs.
    subject = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_about_me"
    )
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=60, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["organisation", "-occurred_at"]),
            models.Index(fields=["subject", "-occurred_at"]),
            models.Index(fields=["actor", "-occurred_at"]),
            models.Index(fields=["action", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")

    @property
    def description(self) -> str:
        """What happened in words, naming what was exported and whom an invitation went to.

        Read from `detail`, which never holds reflection text: an export names its kind (and
        a brief its period and count), an invitation its address.
        """
        detail = self.detail if isinstance(self.detail, dict) else {}
        if self.action == self.Action.REFLECTION_EXPORTED:
            kind = detail.get("export")
            if kind == "supervision_brief":
                return str(
                    _("Exported a supervision brief (%(count)s reflections, %(start)s to %(end)s)")
                    % {
                        "count": detail.get("reflections", "?"),
                        "start": detail.get("start", "?"),
                        "end": detail.get("end", "?"),
                    }
                )
            return str(EXPORT_KINDS.get(str(kind), _("Exported")))
        if self.action == self.Action.INVITATION_SENT and detail.get("email"):
            return str(_("Sent an invitation to %(email)s") % {"email": detail["email"]})
        return str(self.get_action_display())
