"""Django admin for site staff: look at shares, comments and records; change nothing by hand.

Shares and comments carry rules (audited shares, one open share per supervisor) that only the
services enforce, so the admin is read-only for them. Records are signed by two people and
locked once signed; editing them here would bypass that, so they are read-only too.
"""

from __future__ import annotations

from typing import Any

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


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["reflection", "supervisor", "shared_at", "withdrawn_at", "discussed_at"]
    list_filter = ["withdrawn_at", "discussed_at"]
    list_select_related = ["reflection", "supervisor"]
    raw_id_fields = ["reflection", "supervisor", "link"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["reflection", "author", "parent", "created_at"]
    list_select_related = ["reflection", "author"]
    raw_id_fields = ["reflection", "author", "parent"]


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
class SupervisionRecordAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "worker", "supervisor", "organisation", "version", "is_locked"]
    list_filter = ["organisation"]
    list_select_related = ["worker", "supervisor", "organisation"]
    raw_id_fields = ["organisation", "link", "worker", "supervisor", "reflections", "previous"]
    inlines = [SupervisionCheckInline, RecordActionInline]

    @admin.display(boolean=True, description=_("locked"))
    def is_locked(self, obj: SupervisionRecord) -> bool:
        return obj.is_locked
