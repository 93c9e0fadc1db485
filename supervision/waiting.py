"""What waits for a person on their dashboard: the reasons to come back.

For a peer worker: new comments on their reflections, supervision records waiting for their
signature, and actions due (from supervision and from their own reflections). For a
supervisor: reflections newly shared with them and records waiting for their signature.
Only facts and links, never what was written: the dashboard may be read over a shoulder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from reflections.models import Action, Reflection
from supervision.models import Comment, RecordAction, Share, SupervisionRecord
from supervision.sharing.access import live_shares

# What the dashboard needs of a reflection and a person: never the reflection's text.
_REFLECTION = ("reflection__id", "reflection__session_date", "reflection__author_id")
_PERSON = ("display_name", "first_name", "last_name", "username")

# How far ahead an action counts as due. "New" is not a time window: a comment is new to the
# worker until they have seen it (Comment.worker_seen_at), a share new to the supervisor until
# they have opened it (Share.opened_at).
DUE_WITHIN = timedelta(days=7)
SHOWN = 5


@dataclass(frozen=True)
class Waiting:
    comments: list[Comment] = field(default_factory=list)
    records_to_sign: list[SupervisionRecord] = field(default_factory=list)
    record_actions_due: list[RecordAction] = field(default_factory=list)
    reflection_actions_due: list[Action] = field(default_factory=list)
    newly_shared: list[Share] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(
            self.comments
            or self.records_to_sign
            or self.record_actions_due
            or self.reflection_actions_due
            or self.newly_shared
        )


def waiting_for(*, user: User, worker: bool, supervisor: bool) -> Waiting:
    """What waits for `user` in the roles they hold. At most five queries, each capped.

    Records to sign, always; actions from supervision for either role; comments and the
    worker's own actions for a peer worker; newly shared reflections for a supervisor.

    A comment is new until the reflection's author has seen it on their feedback panel, a
    share until its supervisor has opened it (supervision/sharing/services.py marks both);
    an action is due from a week before its date until it is done. Records: those still
    missing this person's signature.
    """
    due_by = timezone.localdate() + DUE_WITHIN
    records = list(
        SupervisionRecord.objects.filter(
            Q(worker=user, worker_signed_at__isnull=True)
            | Q(supervisor=user, supervisor_signed_at__isnull=True)
        )
        .only("id", "held_on")
        .order_by("held_on", "pk")[:SHOWN]
    )
    comments: list[Comment] = []
    record_actions: list[RecordAction] = []
    reflection_actions: list[Action] = []
    shared: list[Share] = []
    if worker:
        comments = list(
            Comment.objects.filter(reflection__author=user, worker_seen_at__isnull=True)
            .exclude(author=user)
            .select_related("author", "reflection")
            .only("id", "created_at", *_REFLECTION, *(f"author__{name}" for name in _PERSON))
            .order_by("-created_at")[:SHOWN]
        )
        reflection_actions = list(
            Action.objects.filter(
                author=user,
                reflection__status=Reflection.Status.SUBMITTED,
                done_at__isnull=True,
                due_on__lte=due_by,
            )
            .select_related("reflection")
            .only("id", "due_on", "reflection__id", "reflection__status")
            .order_by("due_on", "pk")[:SHOWN]
        )
    if worker or supervisor:
        record_actions = list(
            RecordAction.objects.filter(owner=user, done_at__isnull=True, due_on__lte=due_by)
            .select_related("record")
            .order_by("due_on", "pk")[:SHOWN]
        )
    if supervisor:
        shared = list(
            live_shares()
            .filter(supervisor=user, discussed_at__isnull=True, opened_at__isnull=True)
            .select_related("reflection__author")
            .only(
                "id",
                "shared_at",
                *_REFLECTION,
                *(f"reflection__author__{name}" for name in _PERSON),
            )
            .order_by("-shared_at")[:SHOWN]
        )
    return Waiting(
        comments=comments,
        records_to_sign=records,
        record_actions_due=record_actions,
        reflection_actions_due=reflection_actions,
        newly_shared=shared,
    )
