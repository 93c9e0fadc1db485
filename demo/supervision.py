"""Demo supervision: shares, a feedback thread and a signed record for the demo pair.

Called by `seed_demo` after the demo reflections exist. Everything goes through the real
services, so the demo also shows the audit trail ("who has looked at my material") filled in.
Idempotent: a second run finds what the first made and adds nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from framework.selectors import current_version
from reflections.models import Reflection
from supervision import record_services, services
from supervision.models import Comment, Share, SupervisionRecord

if TYPE_CHECKING:
    from demo.people import DemoWorld

SUPERVISOR_COMMENT = (
    "Thank you for bringing this. I noticed how you waited before sharing your own story. "
    "Could we talk about how you judged that moment?"
)
WORKER_REPLY = "Yes please. I wasn't sure whether it was for them or for me."
EXPLORED = (
    "We looked at two sessions where J opened up after a long silence. We talked about "
    "availability and boundaries: what J can expect between meetings, and how to say so "
    "kindly. We named the progress in small steps rather than judging it as success or failure."
)


def seed_supervision(world: DemoWorld) -> str:
    supervisor = world.users["demo-supervisor"]
    worker = world.users["demo-worker"]
    link = world.links.get(("demo-supervisor", "demo-worker"))
    version = current_version()
    if link is None or version is None:
        return "Demo supervision: skipped (no demo link or no framework loaded)."

    submitted = list(
        Reflection.objects.filter(author=worker, status=Reflection.Status.SUBMITTED).order_by(
            "-session_date", "-id"
        )
    )
    flagged = [reflection for reflection in submitted if reflection.bring_to_supervision]
    to_share = (flagged or submitted)[:4]
    if not to_share:
        return "Demo supervision: skipped (demo-worker has no submitted reflections)."

    new_shares = services.share_create(reflections=to_share, supervisors=[supervisor], by=worker)

    newest = to_share[0]
    comments_added = 0
    if not Comment.objects.filter(reflection=newest, author=supervisor).exists():
        comment = services.comment_create(
            reflection=newest, author=supervisor, body=SUPERVISOR_COMMENT
        )
        services.comment_create(reflection=newest, author=worker, body=WORKER_REPLY, parent=comment)
        comments_added = 2

    records_added = 0
    if not SupervisionRecord.objects.filter(link=link).exists():
        discussed = to_share[1:3] or to_share[:1]
        content = record_services.RecordContent(
            held_on=timezone.localdate() - timedelta(days=14),
            attendees=f"{worker.get_display_name()}, {supervisor.get_display_name()}",
            explored=EXPLORED,
            reflections=discussed,
            checks=[
                record_services.CheckInput(context=context, rating=rating, note="")
                for context, rating in zip(
                    version.contexts.order_by("order"), (3, 2, 3, 2, 1), strict=True
                )
            ],
            actions=[
                record_services.ActionInput(
                    text="Agree with J how to get in touch between sessions",
                    owner=worker,
                    due_on=timezone.localdate() + timedelta(days=7),
                ),
                record_services.ActionInput(
                    text="Share the service's guidance on sharing lived experience",
                    owner=supervisor,
                    due_on=timezone.localdate() + timedelta(days=10),
                ),
            ],
        )
        record = record_services.record_create(link=link, by=supervisor, content=content)
        record_services.record_sign(record=record, by=supervisor)
        record_services.record_sign(record=record, by=worker)
        for share in Share.objects.filter(
            reflection__in=discussed, supervisor=supervisor, withdrawn_at__isnull=True
        ):
            services.share_mark_discussed(share=share, by=supervisor)
        records_added = 1

    return (
        f"Demo supervision: {len(new_shares)} new shares, {comments_added} new comments, "
        f"{records_added} new signed record."
    )
