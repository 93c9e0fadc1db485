"""Access matrix entries for sharing, feedback and the supervisor's dashboard.

Shared material (a shared reflection, its thread, "discussed") reaches only Sam, to whom Alice
shared it, and the thread also Alice; everyone else gets a 404: another supervisor of the same
organisation (Una), a trainer, the organisation admin, a member of another organisation, a
deactivated member and the site's staff. The world also gives Una a reflection shared with her
through a supervision link that has since ended: as a former supervisor she gets a 404 on it.
The sharing pages are the peer worker's own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import SupervisionLink
from framework.services import framework_data_read, framework_load
from reflections.models import Reflection
from supervision.models import Share
from tests.access_cases.core import (
    ANONYMOUS,
    LOGIN,
    NOT_ALLOWED,
    OK,
    OTHER_ORGANISATION,
    PEER_WORKER,
    REDIRECT,
    SUPERVISOR,
    UNRELATED_SUPERVISOR,
    Case,
    World,
    everyone,
)


def extend_world(world: World) -> None:
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    p = world.p
    today = timezone.localdate()

    def reflection(label: str) -> Reflection:
        return Reflection.objects.create(
            author=p.alice,
            organisation=p.riverside,
            framework_version=version,
            status=Reflection.Status.SUBMITTED,
            submitted_at=timezone.now(),
            session_date=today - timedelta(days=5),
            person_label=label,
            what_happened="We talked about the move.",
        )

    shared = reflection("S")
    share = Share.objects.create(reflection=shared, supervisor=p.sam, link=p.sam_alice)
    unshared = reflection("U")
    ended = SupervisionLink.objects.create(
        organisation=p.riverside,
        supervisor=p.una,
        worker=p.alice,
        starts_on=today - timedelta(days=90),
        ended_at=timezone.now() - timedelta(days=10),
    )
    formerly_shared = reflection("F")
    Share.objects.create(reflection=formerly_shared, supervisor=p.una, link=ended)
    world.objects.update(
        sharing_shared=shared,
        sharing_share=share,
        sharing_unshared=unshared,
        sharing_former=formerly_shared,
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.objects[key].pk}


def _comment(w: World) -> dict[str, Any]:
    return {"body": "What helped you stay with the silence?"}


def _share_selected(w: World) -> dict[str, Any]:
    return {
        "scope": "selected",
        "reflections": [w.objects["sharing_unshared"].pk],
        "supervisors": [w.p.sam.pk],
    }


def _share_one(w: World) -> dict[str, Any]:
    return {"supervisors": [w.p.sam.pk]}


ONLY_SUPERVISOR = {ANONYMOUS: LOGIN, SUPERVISOR: OK}
POST_ONLY = everyone(NOT_ALLOWED)

CASES = [
    # The supervisor's side
    Case(
        "supervision:dashboard",
        answers={ANONYMOUS: LOGIN, SUPERVISOR: OK, UNRELATED_SUPERVISOR: OK},
    ),
    Case("supervision:dashboard", method="post", answers=POST_ONLY, note="a page to read"),
    Case(
        "supervision:worker",
        kwargs=lambda w: {"user_id": w.p.alice.pk},
        answers=ONLY_SUPERVISOR,
    ),
    Case(
        "supervision:worker",
        kwargs=lambda w: {"user_id": w.p.omar.pk},
        answers={ANONYMOUS: LOGIN},
        note="a worker of another organisation",
    ),
    Case("supervision:reflection", kwargs=_pk("sharing_shared"), answers=ONLY_SUPERVISOR),
    Case(
        "supervision:reflection",
        kwargs=_pk("sharing_unshared"),
        answers={ANONYMOUS: LOGIN},
        note="a reflection nobody shared",
    ),
    Case(
        "supervision:reflection",
        kwargs=_pk("sharing_former"),
        answers={ANONYMOUS: LOGIN},
        note="shared with a former supervisor whose link has ended",
    ),
    Case(
        "supervision:discussed",
        method="post",
        kwargs=_pk("sharing_shared"),
        answers={ANONYMOUS: LOGIN, SUPERVISOR: REDIRECT},
    ),
    Case(
        "supervision:discussed",
        kwargs=_pk("sharing_shared"),
        answers=POST_ONLY,
        note="marking needs a POST",
    ),
    # Both people: the feedback thread
    Case(
        "supervision:comment_create",
        method="post",
        kwargs=_pk("sharing_shared"),
        data=_comment,
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT, SUPERVISOR: REDIRECT},
    ),
    Case(
        "supervision:comment_create",
        method="post",
        kwargs=_pk("sharing_former"),
        data=_comment,
        answers={ANONYMOUS: LOGIN, PEER_WORKER: OK},
        note="shared only with a former supervisor: the author is told no one can read it",
    ),
    Case(
        "supervision:comment_create",
        kwargs=_pk("sharing_shared"),
        answers=POST_ONLY,
        note="commenting needs a POST",
    ),
    # The worker's side
    Case("supervision:share", answers={ANONYMOUS: LOGIN, PEER_WORKER: OK, OTHER_ORGANISATION: OK}),
    Case(
        "supervision:share_create",
        method="post",
        data=_share_selected,
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT, OTHER_ORGANISATION: OK},
        note="another peer worker choosing someone else's reflection gets field errors",
    ),
    Case("supervision:share_create", answers=POST_ONLY, note="sharing needs a POST"),
    Case(
        "supervision:reflection_panel",
        kwargs=_pk("sharing_shared"),
        answers={ANONYMOUS: LOGIN, PEER_WORKER: OK},
        note="the author's sharing and feedback panel for their reflection page",
    ),
    Case(
        "supervision:reflection_panel",
        method="post",
        kwargs=_pk("sharing_shared"),
        answers=POST_ONLY,
        note="a panel to read",
    ),
    Case(
        "supervision:reflection_share",
        method="post",
        kwargs=_pk("sharing_unshared"),
        data=_share_one,
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT},
    ),
    Case(
        "supervision:reflection_share",
        kwargs=_pk("sharing_unshared"),
        answers=POST_ONLY,
        note="sharing needs a POST",
    ),
    Case(
        "supervision:share_withdraw",
        method="post",
        kwargs=_pk("sharing_share"),
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT},
    ),
    Case(
        "supervision:share_withdraw",
        kwargs=_pk("sharing_share"),
        answers=POST_ONLY,
        note="withdrawing needs a POST",
    ),
]
