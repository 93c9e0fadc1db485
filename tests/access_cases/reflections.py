"""Access matrix entries for writing and reading one reflection (reflections/urls_flow.py).

A reflection is its author's alone: Alice gets her pages; everyone else signed in gets a 404
(her supervisor, an unrelated supervisor, the trainer, the admin, another organisation's
worker, a deactivated colleague, the site's staff), and visitors are sent to sign in. Starting
a reflection is for peer workers: Alice and Omar (a peer worker elsewhere) may, everyone else
signed in is told kindly (403). POST-only URLs answer 405 to GET before any sign-in check.

My reflections and My practice (reflections/urls_practice.py) have their own entries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from framework.services import framework_data_read, framework_load
from reflections.flow_selectors import reflection_snapshot, reflection_with_content
from reflections.models import Reflection, ReflectionRevision
from tests.access_cases.core import (
    ANONYMOUS,
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    OTHER_ORGANISATION,
    PEER_WORKER,
    REDIRECT,
    Answer,
    Case,
    World,
)


def extend_world(world: World) -> None:
    version = framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
    p = world.p
    made = {"author": p.alice, "organisation": p.riverside, "framework_version": version}
    world.objects["flow_draft"] = Reflection.objects.create(**made, what_happened="A walk")
    world.objects["flow_to_check"] = Reflection.objects.create(
        **made, what_happened="We read the Mr Men books."
    )
    submitted = Reflection.objects.create(
        **made, status=Reflection.Status.SUBMITTED, submitted_at=timezone.now(), revision=3
    )
    ReflectionRevision.objects.create(
        reflection=submitted, revision=2, snapshot={"what_happened": "Earlier", "revision": 2}
    )
    world.objects["flow_submitted"] = submitted
    reopened = Reflection.objects.create(
        **made, status=Reflection.Status.SUBMITTED, submitted_at=timezone.now(), revision=4
    )
    reopened.amendment_base = reflection_snapshot(reflection_with_content(reflection=reopened))
    reopened.save(update_fields=["amendment_base"])
    world.objects["flow_reopened"] = reopened


def pk_of(key: str, **extra: Any) -> Any:
    def kwargs(world: World) -> dict[str, Any]:
        return {"pk": world.objects[key].pk, **extra}

    return kwargs


def revision_of(key: str) -> Any:
    def data(world: World) -> dict[str, Any]:
        return {"revision": str(world.objects[key].revision)}

    return data


def session_step(world: World) -> dict[str, Any]:
    return {"revision": "1", "session_date": "2025-05-01"}


def quick_later(world: World) -> dict[str, Any]:
    return {
        "revision": "1",
        "session_date": "2025-05-01",
        "chains-TOTAL_FORMS": "0",
        "chains-INITIAL_FORMS": "0",
        "go": "later",
    }


def typed_answer(world: World) -> dict[str, Any]:
    return {"field": "what_happened", "what_happened": "Dave came in."}


def authors(answer: Answer, **fields: Any) -> dict[str, Any]:
    """Alice gets `answer`, visitors the sign-in page, everyone else a 404."""
    return {"default": NOT_FOUND, "answers": {ANONYMOUS: LOGIN, PEER_WORKER: answer}, **fields}


def posts_only(name: str, kwargs: Any) -> Case:
    return Case(name, default=NOT_ALLOWED, kwargs=kwargs, note="GET")


CASES = [
    Case(
        "reflections:start",
        default=FORBIDDEN,
        answers={ANONYMOUS: LOGIN, PEER_WORKER: OK, OTHER_ORGANISATION: OK},
    ),
    Case(
        "reflections:start",
        method="post",
        default=FORBIDDEN,
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT, OTHER_ORGANISATION: REDIRECT},
    ),
    Case("reflections:detail", **authors(OK, kwargs=pk_of("flow_draft"), note="draft")),
    Case("reflections:detail", **authors(OK, kwargs=pk_of("flow_submitted"), note="submitted")),
    Case(
        "reflections:step",
        **authors(OK, kwargs=pk_of("flow_draft", step="session"), note="draft"),
    ),
    Case(
        "reflections:step",
        **authors(REDIRECT, kwargs=pk_of("flow_submitted", step="story"), note="submitted"),
    ),
    Case(
        "reflections:step",
        method="post",
        data=session_step,
        **authors(REDIRECT, kwargs=pk_of("flow_draft", step="session")),
    ),
    Case(
        "reflections:step",
        method="put",
        default=NOT_ALLOWED,
        kwargs=pk_of("flow_draft", step="session"),
    ),
    Case(
        "reflections:autosave",
        method="post",
        data=session_step,
        **authors(OK, kwargs=pk_of("flow_draft", step="session")),
    ),
    posts_only("reflections:autosave", pk_of("flow_draft", step="session")),
    Case(
        "reflections:chain_options",
        query="row=0",
        **authors(OK, kwargs=pk_of("flow_draft")),
    ),
    Case("reflections:quick", **authors(OK, kwargs=pk_of("flow_draft"), note="draft")),
    Case(
        "reflections:quick", **authors(REDIRECT, kwargs=pk_of("flow_submitted"), note="submitted")
    ),
    Case(
        "reflections:quick",
        method="post",
        data=quick_later,
        **authors(REDIRECT, kwargs=pk_of("flow_draft"), note="finish later"),
    ),
    Case("reflections:quick", method="put", default=NOT_ALLOWED, kwargs=pk_of("flow_draft")),
    Case(
        "reflections:privacy_live",
        method="post",
        data=typed_answer,
        **authors(OK, kwargs=pk_of("flow_draft"), note="draft"),
    ),
    Case(
        "reflections:privacy_live",
        method="post",
        data=typed_answer,
        **authors(NOT_FOUND, kwargs=pk_of("flow_submitted"), note="submitted"),
    ),
    posts_only("reflections:privacy_live", pk_of("flow_draft")),
    Case("reflections:check", **authors(OK, kwargs=pk_of("flow_draft"), note="draft")),
    Case(
        "reflections:check", **authors(REDIRECT, kwargs=pk_of("flow_submitted"), note="submitted")
    ),
    Case(
        "reflections:privacy",
        **authors(OK, kwargs=pk_of("flow_to_check"), note="something to check"),
    ),
    Case(
        "reflections:privacy",
        **authors(REDIRECT, kwargs=pk_of("flow_draft"), note="nothing to check"),
    ),
    Case(
        "reflections:submit",
        method="post",
        data=revision_of("flow_draft"),
        **authors(REDIRECT, kwargs=pk_of("flow_draft")),
    ),
    posts_only("reflections:submit", pk_of("flow_draft")),
    Case(
        "reflections:amend",
        method="post",
        **authors(REDIRECT, kwargs=pk_of("flow_submitted")),
    ),
    posts_only("reflections:amend", pk_of("flow_submitted")),
    Case("reflections:discard_amendment", **authors(OK, kwargs=pk_of("flow_reopened"))),
    Case(
        "reflections:discard_amendment",
        **authors(REDIRECT, kwargs=pk_of("flow_submitted"), note="not reopened"),
    ),
    Case(
        "reflections:discard_amendment",
        method="post",
        **authors(REDIRECT, kwargs=pk_of("flow_reopened")),
    ),
    Case("reflections:delete", **authors(OK, kwargs=pk_of("flow_draft"))),
    Case(
        "reflections:delete",
        method="post",
        **authors(REDIRECT, kwargs=pk_of("flow_draft")),
    ),
    Case(
        "reflections:delete",
        method="put",
        default=NOT_ALLOWED,
        kwargs=pk_of("flow_draft"),
    ),
    Case(
        "reflections:revision",
        **authors(OK, kwargs=pk_of("flow_submitted", number=2)),
    ),
]
