"""Background tasks that record themselves when they finally fail.

Every task of the project uses `RecordedTask` as its base. When the last retry fails, a
`FailedTask` row is written for each organisation the work concerned, with a summary in plain
words and the error's type and first line: never the content the task carried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email.utils import parseaddr
from typing import Any

from celery import Task
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from datarights.models import FailedTask

Describer = Callable[[tuple[Any, ...], dict[str, Any]], tuple[str, list[int]]]
_DESCRIBERS: dict[str, Describer] = {}


def describes(task_name: str) -> Callable[[Describer], Describer]:
    """Register how a failed `task_name` is summarised, and for which organisations."""

    def register(function: Describer) -> Describer:
        _DESCRIBERS[task_name] = function
        return function

    return register


def organisations_of_addresses(addresses: Iterable[str]) -> list[int]:
    match = Q(pk__in=[])
    for address in addresses:
        match |= Q(email__iexact=parseaddr(address)[1] or address)
    return organisations_of_users(User.objects.filter(match).values_list("pk", flat=True))


def organisations_of_users(user_ids: Iterable[int]) -> list[int]:
    return sorted(
        set(
            Membership.objects.filter(user_id__in=list(user_ids)).values_list(
                "organisation_id", flat=True
            )
        )
    )


def error_line(error: BaseException) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"[:500]


def record_failure(
    *,
    task_name: str,
    task_id: str,
    error: BaseException,
    attempts: int,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> list[FailedTask]:
    """Write one FailedTask per organisation concerned (one without organisation if none)."""
    describe = _DESCRIBERS.get(task_name)
    summary, organisation_ids = describe(args, kwargs) if describe is not None else (task_name, [])
    known = set(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", flat=True))
    now = timezone.now()
    targets: list[int | None] = [*sorted(known)] or [None]
    return [
        FailedTask.objects.create(
            organisation_id=organisation_id,
            task_name=task_name,
            task_id=task_id or "",
            summary=summary[:300],
            error=error_line(error),
            attempts=attempts,
            failed_at=now,
        )
        for organisation_id in targets
    ]


class RecordedTask(Task):
    """A Celery task that writes a FailedTask when it gives up."""

    def on_failure(
        self,
        exc: BaseException,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: Any,
    ) -> None:
        record_failure(
            task_name=self.name,
            task_id=task_id,
            error=exc,
            attempts=(self.request.retries or 0) + 1,
            args=tuple(args or ()),
            kwargs=dict(kwargs or {}),
        )
        self.after_final_failure(args=tuple(args or ()), kwargs=dict(kwargs or {}))

    def after_final_failure(self, *, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """What a task puts right when it gives up (e.g. mark its export failed)."""
