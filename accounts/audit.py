"""The one way to write to the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts.models import AuditEvent, Organisation, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: User | None,
    request: HttpRequest | None = None,
    organisation: Organisation | None = None,
    subject: User | None = None,
    target: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event to the audit trail.

    `subject` is the person whose material or account the event concerns, so they can see it
    on their own "who has looked at my material" page. Detail values must be JSON-serialisable
    and must never contain reflection text.
    """
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request),
        detail=detail,
    )
