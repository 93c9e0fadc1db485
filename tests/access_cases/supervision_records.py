"""Access matrix entries for supervision records, the brief and the printable summaries.

Only the two people of a record reach it: Alice (the peer worker) and Sam (her supervisor,
through a live link). Everyone else gets a 404, so a record's existence never leaks:
another supervisor of the same organisation, a trainer, the organisation admin, a member of
another organisation, a deactivated member and the site's staff alike.

The world also makes Una a *former* supervisor of Alice (an ended link, with a record from
then): Una gets a 404 on it while Alice, whose record it is, can still read it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import SupervisionLink
from framework.services import framework_data_read, framework_load
from reflections.models import Reflection
from supervision.models import RecordAction, Share, SupervisionCheck, SupervisionRecord
from tests.access_cases.core import (
    ANONYMOUS,
    BAD_REQUEST,
    LOGIN,
    NOT_ALLOWED,
    OK,
    PEER_WORKER,
    REDIRECT,
    SUPERVISOR,
    Case,
    World,
    everyone,
)


def extend_world(world: World) -> None:
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    p = world.p
    today = timezone.localdate()
    reflection = Reflection.objects.create(
        author=p.alice,
        organisation=p.riverside,
        framework_version=version,
        status=Reflection.Status.SUBMITTED,
        submitted_at=timezone.now(),
        session_date=today - timedelta(days=3),
        person_label="R",
        learning="Ask before offering a walk.",
    )
    Share.objects.create(reflection=reflection, supervisor=p.sam, link=p.sam_alice)

    def record(link: SupervisionLink, *, signed: bool, days_ago: int) -> SupervisionRecord:
        now = timezone.now()
        made = SupervisionRecord.objects.create(
            organisation=link.organisation,
            link=link,
            worker=link.worker,
            supervisor=link.supervisor,
            held_on=today - timedelta(days=days_ago),
            worker_signed_at=now if signed else None,
            supervisor_signed_at=now if signed else None,
        )
        for context in version.contexts.all():
            SupervisionCheck.objects.create(record=made, context=context, rating=2)
        return made

    open_record = record(p.sam_alice, signed=False, days_ago=1)
    action = RecordAction.objects.create(
        record=open_record, text="Read about endings", owner=p.alice
    )
    locked_record = record(p.sam_alice, signed=True, days_ago=30)
    former_link = SupervisionLink.objects.create(
        organisation=p.riverside,
        supervisor=p.una,
        worker=p.alice,
        starts_on=today - timedelta(days=400),
        ended_at=timezone.now() - timedelta(days=200),
    )
    former_record = record(former_link, signed=True, days_ago=250)
    world.objects.update(
        records_reflection=reflection,
        records_open=open_record,
        records_open_action=action,
        records_locked=locked_record,
        records_former=former_record,
    )


def _record(key: str) -> Any:
    return lambda w: {"pk": w.objects[key].pk}


def _sam_alice(w: World) -> dict[str, Any]:
    return {"link_id": w.p.sam_alice.pk}


def _alice(w: World) -> dict[str, Any]:
    return {"user_id": w.p.alice.pk}


def _record_data(w: World) -> dict[str, Any]:
    return {
        "held_on": timezone.localdate().isoformat(),
        "attendees": "Alice, Sam",
        "explored": "Endings.",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "20",
        "actions-0-text": "Plan a good ending",
        "actions-0-owner": "worker",
    }


# The two people of the pair; everyone else a 404, and the anonymous visitor the sign-in page.
BOTH_OK = {ANONYMOUS: LOGIN, PEER_WORKER: OK, SUPERVISOR: OK}
BOTH_REDIRECT = {ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT, SUPERVISOR: REDIRECT}

CASES = [
    Case("supervision:records", default=OK, answers={ANONYMOUS: LOGIN}),
    Case("supervision:pair_records", kwargs=_sam_alice, answers=BOTH_OK),
    Case("supervision:record_create", kwargs=_sam_alice, answers=BOTH_OK),
    Case(
        "supervision:record_create",
        method="post",
        kwargs=_sam_alice,
        data=_record_data,
        answers=BOTH_REDIRECT,
        note="a valid record",
    ),
    Case("supervision:record", kwargs=_record("records_open"), answers=BOTH_OK),
    Case(
        "supervision:record",
        kwargs=_record("records_former"),
        answers={ANONYMOUS: LOGIN, PEER_WORKER: OK},
        note="a record of a former supervisor (link ended): only the worker reads it",
    ),
    Case("supervision:record_edit", kwargs=_record("records_open"), answers=BOTH_OK),
    Case(
        "supervision:record_edit",
        method="post",
        kwargs=_record("records_open"),
        data=_record_data,
        answers=BOTH_REDIRECT,
        note="a valid change",
    ),
    Case(
        "supervision:record_sign",
        method="post",
        kwargs=_record("records_open"),
        answers=BOTH_REDIRECT,
    ),
    Case(
        "supervision:record_sign",
        kwargs=_record("records_open"),
        answers=everyone(NOT_ALLOWED),
        note="signing needs a POST",
    ),
    Case(
        "supervision:record_new_version",
        method="post",
        kwargs=_record("records_locked"),
        answers=BOTH_REDIRECT,
    ),
    Case(
        "supervision:record_new_version",
        method="post",
        kwargs=_record("records_former"),
        answers={ANONYMOUS: LOGIN},
        note="a former supervisor's record: nobody can change it any more",
    ),
    Case(
        "supervision:record_action_done",
        method="post",
        kwargs=lambda w: {
            "pk": w.objects["records_open"].pk,
            "action_id": w.objects["records_open_action"].pk,
        },
        data=lambda w: {"done": "1"},
        answers=BOTH_REDIRECT,
    ),
    Case(
        "supervision:record_action_done",
        method="post",
        kwargs=lambda w: {
            "pk": w.objects["records_locked"].pk,
            "action_id": w.objects["records_open_action"].pk,
        },
        answers={ANONYMOUS: LOGIN},
        note="an action of another record",
    ),
    Case("supervision:record_pdf", kwargs=_record("records_open"), answers=BOTH_OK),
    Case(
        "supervision:record_pdf",
        kwargs=_record("records_former"),
        answers={ANONYMOUS: LOGIN, PEER_WORKER: OK},
        note="a former supervisor's record",
    ),
    Case("supervision:brief", kwargs=_alice, answers=BOTH_OK),
    Case(
        "supervision:brief",
        kwargs=_alice,
        query="from=2025-13-01&to=yesterday",
        answers={ANONYMOUS: LOGIN, PEER_WORKER: BAD_REQUEST, SUPERVISOR: BAD_REQUEST},
        note="a period that is not a pair of dates",
    ),
    Case("supervision:brief_pdf", kwargs=_alice, answers=BOTH_OK),
    Case(
        "supervision:brief_pdf",
        kwargs=lambda w: {"user_id": w.p.bob.pk},
        answers={ANONYMOUS: LOGIN, SUPERVISOR: OK},
        note="another supervisee of the supervisor",
    ),
    Case(
        "supervision:reflection_pdf",
        kwargs=_record("records_reflection"),
        answers=BOTH_OK,
    ),
]
