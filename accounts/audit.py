"""The one way to write to the audit trail."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from accounts.models import AuditEvent, Organisation, User


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person making the request: the one sign-in throttling counts and
    the audit trail records.

    Behind `TRUSTED_PROXY_COUNT` proxies (each appending the address it saw to
    X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does), the client is the entry
    that many places from the right; entries further left were written by the client and are
    never believed. A header with fewer entries, or a malformed one, did not come through all
    the proxies, so the nearest peer (REMOTE_ADDR) is used: such requests share one count
    rather than choosing their own.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop]
        if len(hops) >= proxies:
            forwarded = _address(hops[-proxies])
            if forwarded is not None:
                return forwarded
    return _address(request.META.get("REMOTE_ADDR"))


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


@dataclass(frozen=True)
class AuditEntry:
    """One event of a batch: whose material it concerns, and its detail (no reflection text)."""

    organisation: Organisation | None
    subject: User | None
    detail: dict[str, Any] = field(default_factory=dict)


def audit_record_many(
    *,
    action: str,
    actor: User | None,
    entries: Sequence[AuditEntry],
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Append several events of one action by one actor in a single INSERT.

    For a page that shows several people's material at once: each person gets an event of
    their own (they see it on their own page) while the page's query count stays fixed.
    """
    if not entries:
        return []
    address = client_ip(request)
    person = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action=action,
                actor=person,
                organisation=entry.organisation,
                subject=entry.subject,
                ip_address=address,
                detail=entry.detail,
            )
            for entry in entries
        ]
    )
