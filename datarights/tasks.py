"""Background tasks: e-mail delivery, exports, erasure and retention.

Each task takes ids and plain values (the queue carries JSON), reads what it needs from the
database itself, and uses `RecordedTask`, so giving up is written down for the admin.
"""

from __future__ import annotations

from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from datarights import erasure, mail, retention, services
from datarights.failures import (
    RecordedTask,
    describes,
    organisations_of_addresses,
    organisations_of_users,
)
from datarights.models import Export
from workshops.services import participants_purge

DELIVER_EMAIL = "datarights.tasks.deliver_email"


@shared_task(
    name=DELIVER_EMAIL,
    base=RecordedTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.TASK_MAX_RETRIES,
)
def deliver_email(message: dict[str, Any]) -> int:
    """Send one queued e-mail; an SMTP or network error retries with exponential backoff."""
    mail.deliver_now(message)
    return len(message["to"]) + len(message["cc"]) + len(message["bcc"])


@describes(DELIVER_EMAIL)
def _describe_email(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, list[int]]:
    message = args[0] if args else kwargs.get("message", {})
    recipients = [*message.get("to", []), *message.get("cc", []), *message.get("bcc", [])]
    summary = f"E-mail “{message.get('subject', '')}” to {', '.join(recipients)}"
    return summary, organisations_of_addresses(recipients)


BUILD_EXPORT = "datarights.tasks.build_export"


class ExportTask(RecordedTask):
    def after_final_failure(self, *, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        export_id = args[0] if args else kwargs.get("export_id")
        if export_id is not None:
            services.export_mark_failed(export_id=int(export_id))


@shared_task(
    name=BUILD_EXPORT,
    base=ExportTask,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    max_retries=3,
)
def build_export(export_id: int, with_pdfs: bool = True) -> int | None:
    """Make the ZIP of export `export_id`; returns its size in bytes."""
    item = services.export_build(export_id=export_id, with_pdfs=with_pdfs)
    return item.size_bytes if item is not None else None


@describes(BUILD_EXPORT)
def _describe_export(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, list[int]]:
    export_id = int(args[0] if args else kwargs.get("export_id", 0))
    item = Export.objects.select_related("user").filter(pk=export_id).first()
    if item is None:
        return f"Export {export_id}", []
    return (
        f"Export of {item.user.get_display_name()}'s material",
        organisations_of_users([item.user_id]),
    )


ERASE_ACCOUNT = "datarights.tasks.erase_account"


@shared_task(
    name=ERASE_ACCOUNT,
    base=RecordedTask,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    max_retries=settings.TASK_MAX_RETRIES,
)
def erase_account(user_id: int) -> bool:
    """Erase person `user_id` (datarights/erasure.py); a locked database is retried."""
    return erasure.account_erase(user_id=user_id)


@describes(ERASE_ACCOUNT)
def _describe_erasure(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, list[int]]:
    user_id = int(args[0] if args else kwargs.get("user_id", 0))
    # No name: the summary must not keep what the erasure was meant to remove.
    return "Erasure of an account", organisations_of_users([user_id])


APPLY_RETENTION = "datarights.tasks.apply_retention"


@shared_task(name=APPLY_RETENTION, base=RecordedTask)
def apply_retention() -> dict[str, int]:
    """The daily run (appear_site/celery.py's beat schedule): retention, then expired exports."""
    items = retention.apply()
    expired = services.exports_expire()
    return {"deleted": sum(len(item.ids) for item in items), "exports_expired": expired}


@describes(APPLY_RETENTION)
def _describe_retention(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, list[int]]:
    return "The daily retention run", []


PURGE_WORKSHOP_PARTICIPANTS = "datarights.tasks.purge_workshop_participants"


@shared_task(name=PURGE_WORKSHOP_PARTICIPANTS, base=RecordedTask)
def purge_workshop_participants() -> int:
    """The workshops app's own daily deletion of participants, on the same schedule.

    The period is the workshops app's setting (WORKSHOP_PARTICIPANT_RETENTION_DAYS), not an
    organisation's retention policy: participants are anonymous visitors, not members.
    """
    return participants_purge(now=timezone.now(), days=settings.WORKSHOP_PARTICIPANT_RETENTION_DAYS)


@describes(PURGE_WORKSHOP_PARTICIPANTS)
def _describe_purge(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, list[int]]:
    return "The daily deletion of workshop participants", []
