"""Demo supervision: shares, a feedback thread and a signed record for the demo pair.

Called by `seed_demo` after the demo reflections exist. Everything goes through the real
services, so the demo also shows the audit trail ("who has looked at my material") filled in.
Idempotent: a second run finds what the first made and adds nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from framework.selectors import current_version
from reflections.models import Reflection
from supervision.models import Comment, Share, SupervisionRecord
from supervision.records import services as record_services
from supervision.sharing import services

if TYPE_CHECKING:
    from demo.people import DemoWorld

# The demo pair's last supervision, in days before the day the demo is seeded.
MET_DAYS_AGO = 14

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

    # A story that holds together in time: two reflections shared three weeks ago were
    # discussed at a supervision two weeks ago (the signed record); two newer ones were shared
    # since, for the next supervision. Each share comes after its session.
    today = timezone.localdate()
    now = timezone.now()
    met_on = today - timedelta(days=MET_DAYS_AGO)
    submitted = list(
        Reflection.objects.filter(author=worker, status=Reflection.Status.SUBMITTED).order_by(
            "-session_date", "-id"
        )
    )
    # Reflections the worker flagged "bring to supervision" first, then the rest.
    pool = sorted(submitted, key=lambda reflection: not reflection.bring_to_supervision)
    earlier = [r for r in pool if r.session_date < met_on - timedelta(days=7)][:2]
    later = [r for r in pool if met_on < r.session_date <= today][:2]
    to_share = later + earlier
    if not to_share:
        return "Demo supervision: skipped (demo-worker has no submitted reflections)."

    new_shares = services.share_create(
        reflections=earlier,
        supervisors=[supervisor],
        by=worker,
        at=now - timedelta(days=MET_DAYS_AGO + 7),
    ) + services.share_create(reflections=later, supervisors=[supervisor], by=worker)

    newest = to_share[0]
    comments_added = 0
    if not Comment.objects.filter(reflection=newest, author=supervisor).exists():
        comment = services.comment_create(
            reflection=newest, author=supervisor, body=SUPERVISOR_COMMENT
        )
        # The worker read the comment on their feedback panel before replying to it.
        services.comments_mark_seen(reflection=newest, by=worker)
        services.comment_create(reflection=newest, author=worker, body=WORKER_REPLY, parent=comment)
        comments_added = 2

    records_added = 0
    if not SupervisionRecord.objects.filter(link=link).exists():
        discussed = earlier or to_share[:1]
        content = record_services.RecordContent(
            held_on=met_on,
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
                    due_on=today + timedelta(days=7),
                ),
                record_services.ActionInput(
                    text="Share the service's guidance on sharing lived experience",
                    owner=supervisor,
                    due_on=today + timedelta(days=10),
                ),
            ],
        )
        record = record_services.record_create(link=link, by=supervisor, content=content)
        record_services.record_sign(record=record, by=supervisor)
        record_services.record_sign(record=record, by=worker)
        for share in Share.objects.filter(
            reflection__in=discussed, supervisor=supervisor, withdrawn_at__isnull=True
        ):
            services.share_mark_discussed(
                share=share,
                by=supervisor,
                at=timezone.make_aware(datetime.combine(met_on, time(15, 0))),
            )
        records_added = 1

    return (
        f"Demo supervision: {len(new_shares)} new shares, {comments_added} new comments, "
        f"{records_added} new signed record."
    )
