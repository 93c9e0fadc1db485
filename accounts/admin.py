"""Django admin for site staff: people, organisations, links and the read-only audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    SupervisionLink,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (None, {"fields": ("display_name",)}))
    list_display = ("username", "email", "display_name", "is_active", "is_staff")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "requires_two_factor")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(SupervisionLink)
class SupervisionLinkAdmin(admin.ModelAdmin):
    list_display = ("supervisor", "worker", "organisation", "starts_on", "ended_at")
    list_filter = ("organisation",)
    raw_id_fields = ("supervisor", "worker", "created_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent and revoked from the organisation admin pages, which
    e-mail the link and write the audit trail; the token itself is never stored."""

    list_display = (
        "email",
        "organisation",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("organisation",)
    list_select_related = ("organisation",)
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "action", "actor", "subject", "organisation", "target_type")
    list_filter = ("action", "organisation")
    list_select_related = ("actor", "subject", "organisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
