"""The Django admin site, audited: every change made there, and every opening of material.

Site staff can change anyone's roles and read what supervisors and workers wrote, so the
admin writes to the same audit trail as the rest of the site:
- every successful change (a POST answered with a redirect: add, change, delete, a bulk
  action, a password) is an "admin_changed" event;
- opening an object of a ModelAdmin that sets `audit_views = True` (comments, supervision
  records, shares) is an "admin_viewed" event.
Each event names the object and, where there is one, whose material it is (`subject`) and
their organisation, so the person sees it on their own "who has looked at my material" page.
Installed as the default admin site by `accounts.apps.AuditedAdminConfig`.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.http import HttpRequest, HttpResponseBase

from accounts.audit import audit_record
from accounts.models import AuditEvent, Organisation, User

if TYPE_CHECKING:
    from django.contrib.admin.sites import _ViewType
else:
    _ViewType = TypeVar("_ViewType")

_CHANGES = {
    "add_view": "add",
    "change_view": "change",
    "delete_view": "delete",
    "changelist_view": "bulk",
    "user_change_password": "password",
}
# How far a bulk action's list of objects is written out.
_MAX_NAMED = 100


def _related(obj: Any, *paths: str) -> Any:
    for path in paths:
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


def whose(obj: models.Model | None) -> tuple[User | None, Organisation | None]:
    """The person whose material or account `obj` is, and their organisation, if any."""
    if obj is None:
        return None, None
    subject = obj if isinstance(obj, User) else _related(obj, "worker", "reflection.author", "user")
    organisation = obj if isinstance(obj, Organisation) else None
    organisation = organisation or _related(obj, "organisation", "reflection.organisation")
    return (
        subject if isinstance(subject, User) else None,
        organisation if isinstance(organisation, Organisation) else None,
    )


class AuditedAdminSite(admin.AdminSite):
    def admin_view(self, view: _ViewType, cacheable: bool = False) -> _ViewType:
        inner = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        name = getattr(view, "__name__", "")

        @wraps(view)
        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            obj = None
            object_id = kwargs.get("object_id") or (args[0] if args else None)
            is_change = request.method == "POST"
            is_view = (
                request.method == "GET"
                and name == "change_view"
                and getattr(model_admin, "audit_views", False)
            )
            staff = request.user.is_authenticated and request.user.is_staff
            if staff and object_id and (is_change or is_view) and model_admin is not None:
                # Read before the view runs: after a delete the object is gone.
                obj = model_admin.get_object(request, str(object_id))
            response = inner(request, *args, **kwargs)
            if not staff:
                return response
            if is_change and response.status_code in (301, 302, 303):
                _audit(request, AuditEvent.Action.ADMIN_CHANGED, model_admin, obj, name)
            elif is_view and obj is not None and response.status_code == 200:
                _audit(request, AuditEvent.Action.ADMIN_VIEWED, model_admin, obj, name)
            return response

        return cast("_ViewType", audited)


def _audit(
    request: HttpRequest, action: str, model_admin: Any, obj: models.Model | None, name: str
) -> None:
    subject, organisation = whose(obj)
    detail: dict[str, Any] = {}
    if action == AuditEvent.Action.ADMIN_CHANGED:
        detail["change"] = _CHANGES.get(name, name)
    if model_admin is not None and obj is None:
        detail["model"] = model_admin.model._meta.label_lower
    if name == "changelist_view":
        detail["action"] = request.POST.get("action", "")[:100]
        detail["objects"] = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)[:_MAX_NAMED]
    user = request.user
    audit_record(
        action=action,
        actor=user if isinstance(user, User) else None,
        request=request,
        organisation=organisation,
        subject=subject,
        target=obj,
        **detail,
    )
