"""Django admin for site staff: look at shares, comments and records; change nothing by hand.

Shares and comments carry rules (audited shares, one open share per supervisor) that only the
services enforce, so the admin is read-only for them. Records are signed by two people and
locked once signed; editing them here would bypass that, so they are read-only too.

What people wrote (comment bodies, what a record says, its checks and actions, and the person
labels in a reflection's name) is left out unless settings.ADMIN_SHOWS_CONTENT is on; a
reflection is named by its number. Opening any of these objects is audited
(`audit_views`, read by accounts.admin_site).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from supervision.models import Comment, RecordAction, Share, SupervisionCheck, SupervisionRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ContentAdmin(ReadOnlyAdmin):
    """Read-only, audited when opened, and without `content_fields` unless the setting allows."""

    audit_views = True
    content_fields: tuple[str, ...] = ()

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or ())
        if not settings.ADMIN_SHOWS_CONTENT:
            excluded += self.content_fields
        return excluded

    @admin.display(description=_("reflection"))
    def reflection_number(self, obj: Any) -> str:
        return f"#{obj.reflection_id}"


@admin.register(Share)
class ShareAdmin(ContentAdmin):
    list_display = ["reflection_number", "supervisor", "shared_at", "withdrawn_at", "discussed_at"]
    list_filter = ["withdrawn_at", "discussed_at"]
    list_select_related = ["supervisor"]
    raw_id_fields = ["supervisor", "link"]
    readonly_fields = ["reflection_number"]
    content_fields = ("reflection",)


@admin.register(Comment)
class CommentAdmin(ContentAdmin):
    list_display = ["reflection_number", "author", "parent_id", "created_at"]
    list_select_related = ["author"]
    raw_id_fields = ["author"]
    readonly_fields = ["reflection_number"]
    content_fields = ("reflection", "parent", "body")


class SupervisionCheckInline(admin.TabularInline):
    model = SupervisionCheck
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordActionInline(admin.TabularInline):
    model = RecordAction
    extra = 0
    can_delete = False
    raw_id_fields = ["owner"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(ContentAdmin):
    list_display = ["held_on", "worker", "supervisor", "organisation", "version", "is_locked"]
    list_filter = ["organisation"]
    list_select_related = ["worker", "supervisor", "organisation"]
    raw_id_fields = ["organisation", "link", "worker", "supervisor", "previous"]
    content_fields = ("attendees", "explored", "reflections")
    inlines = [SupervisionCheckInline, RecordActionInline]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # The checks' notes and the agreed actions are what the two people wrote.
        return self.inlines if settings.ADMIN_SHOWS_CONTENT else []

    @admin.display(boolean=True, description=_("locked"))
    def is_locked(self, obj: SupervisionRecord) -> bool:
        return obj.is_locked
