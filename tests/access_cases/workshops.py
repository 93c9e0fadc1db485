"""Matrix entries for workshops: the trainer's pages, and the participants' /join/ pages.

Only an active trainer of the workshop's organisation reaches a workshop or an own vignette;
everyone else signed in gets 404 and a visitor the sign-in page. The PARTICIPANT persona is a
browser with the signed cookie of a participant in Tara's open workshop: it reaches its own
current vignette and nothing of the trainer's side. Another organisation's workshop and
vignette are 404 even for Tara.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone

from accounts.models import Membership
from tests.access_cases.core import (
    ANONYMOUS,
    BAD_REQUEST,
    FORBIDDEN,
    LOGIN,
    NO_CONTENT,
    NOT_ALLOWED,
    OK,
    PARTICIPANT,
    REDIRECT,
    TRAINER,
    Case,
    World,
)
from tests.base import make_member, make_user
from workshops import services
from workshops.access import PARTICIPANT_COOKIE, PARTICIPANT_SALT
from workshops.models import Vignette

TRAINER_ONLY = {ANONYMOUS: LOGIN, TRAINER: OK}
TRAINER_POST = {ANONYMOUS: LOGIN, TRAINER: REDIRECT}


def extend_world(world: World) -> None:
    library = services.vignette_data_read(settings.VIGNETTE_DATA_FILE)
    services.vignettes_load(entries=library[:3])
    vignettes = list(Vignette.objects.filter(organisation=None).order_by("key"))
    p = world.p
    workshop = services.workshop_create(
        organisation=p.riverside,
        trainer=p.tara,
        title="Riverside induction",
        day=timezone.localdate(),
        mode="individual",
        vignettes=vignettes[:2],
    )
    workshop = services.workshop_open(workshop=workshop)
    assert workshop.join_code is not None
    participant = services.participant_join(code=workshop.join_code, display_name="Ade")
    own = services.vignette_save(
        organisation=p.riverside,
        author=p.tara,
        content={
            "title": "Riverside's own",
            "setting": "ward",
            "main_context": "accepting",
            "text": "word " * 80,
            "tensions": [],
            "went_wrong": False,
            "intended_ratings": {"accepting": 2},
            "intended_chains": [
                {
                    "context": "accepting",
                    "mechanism": "mentalisation",
                    "domain": "confidence",
                    "reason": "R",
                }
            ],
            "questions": ["Why?"],
        },
    )
    hilda = make_user("hilda")
    make_member(hilda, p.hillside, Membership.Role.TRAINER)
    elsewhere = services.workshop_create(
        organisation=p.hillside,
        trainer=hilda,
        title="Hillside's workshop",
        day=timezone.localdate(),
        mode="table",
        vignettes=vignettes[:1],
    )
    theirs = services.vignette_save(
        organisation=p.hillside,
        author=hilda,
        content={**own_content(own), "title": "Hillside's own"},
    )
    world.objects.update(
        workshop=workshop,
        item=workshop.items.get(position=0),
        elsewhere=elsewhere,
        library_vignette=vignettes[0],
        own_vignette=own,
        their_vignette=theirs,
    )
    signer = signing.get_cookie_signer(salt=PARTICIPANT_COOKIE + PARTICIPANT_SALT)
    world.cookies[PARTICIPANT] = {PARTICIPANT_COOKIE: signer.sign(participant.token)}


def own_content(vignette: Vignette) -> dict[str, Any]:
    return {field: getattr(vignette, field) for field in services.CONTENT_FIELDS}


def pk_of(name: str) -> Any:
    return lambda world: {"pk": world.objects[name].pk}


def answer_data(world: World) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item": world.objects["item"].pk,
        "chain1_context": "accepting",
        "chain1_mechanism": "i_am_acceptable_or_worthwhile",
        "chain1_domain": "self_acceptance",
    }
    data.update({f"rating_{key}": 1 for key in services_context_keys()})
    return data


def services_context_keys() -> list[str]:
    return ["accepting", "personalised_practice", "empowering", "available", "reciprocal"]


def join_data(world: World) -> dict[str, Any]:
    return {"code": world.objects["workshop"].join_code, "display_name": "Someone"}


WORKSHOP = pk_of("workshop")
ELSEWHERE = pk_of("elsewhere")

CASES = [
    # The trainer's workshops.
    Case("workshops:list", answers=TRAINER_ONLY),
    Case("workshops:create", answers=TRAINER_ONLY),
    Case("workshops:create", answers=TRAINER_ONLY, method="post", note="empty form"),
    Case("workshops:cards_pdf", answers=TRAINER_ONLY),
    Case("workshops:detail", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    Case(
        "workshops:detail", answers={ANONYMOUS: LOGIN}, kwargs=ELSEWHERE, note="other organisation"
    ),
    Case("workshops:open", answers=TRAINER_POST, kwargs=WORKSHOP, method="post"),
    Case(
        "workshops:open",
        answers={ANONYMOUS: LOGIN},
        kwargs=ELSEWHERE,
        method="post",
        note="other organisation",
    ),
    Case("workshops:open", default=NOT_ALLOWED, kwargs=WORKSHOP, note="GET"),
    Case("workshops:close", answers=TRAINER_POST, kwargs=WORKSHOP, method="post"),
    Case("workshops:close", default=NOT_ALLOWED, kwargs=WORKSHOP, note="GET"),
    Case("workshops:room", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    Case("workshops:room", answers={ANONYMOUS: LOGIN}, kwargs=ELSEWHERE, note="other organisation"),
    Case("workshops:room_live", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    Case(
        "workshops:room_live",
        answers={ANONYMOUS: LOGIN},
        kwargs=ELSEWHERE,
        note="other organisation",
    ),
    Case(
        "workshops:room_move",
        answers=TRAINER_POST,
        kwargs=WORKSHOP,
        method="post",
        data=lambda w: {"direction": "next"},
    ),
    Case("workshops:room_move", default=NOT_ALLOWED, kwargs=WORKSHOP, note="GET"),
    Case(
        "workshops:room_reveal",
        answers=TRAINER_POST,
        kwargs=WORKSHOP,
        method="post",
        data=lambda w: {"show": "1"},
    ),
    Case("workshops:room_reveal", default=NOT_ALLOWED, kwargs=WORKSHOP, note="GET"),
    Case("workshops:results", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    Case(
        "workshops:results", answers={ANONYMOUS: LOGIN}, kwargs=ELSEWHERE, note="other organisation"
    ),
    Case("workshops:results_pdf", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    Case("workshops:results_csv", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    Case(
        "workshops:results_csv",
        answers={ANONYMOUS: LOGIN},
        kwargs=ELSEWHERE,
        note="other organisation",
    ),
    Case("workshops:worksheets_pdf", answers=TRAINER_ONLY, kwargs=WORKSHOP),
    # Vignettes: the library and Riverside's own for Riverside's trainer; never Hillside's.
    Case("workshops:vignettes", answers=TRAINER_ONLY),
    Case("workshops:vignette_create", answers=TRAINER_ONLY),
    Case("workshops:vignette_create", answers=TRAINER_ONLY, method="post", note="empty form"),
    Case(
        "workshops:vignette", answers=TRAINER_ONLY, kwargs=pk_of("library_vignette"), note="library"
    ),
    Case("workshops:vignette", answers=TRAINER_ONLY, kwargs=pk_of("own_vignette"), note="own"),
    Case(
        "workshops:vignette",
        answers={ANONYMOUS: LOGIN},
        kwargs=pk_of("their_vignette"),
        note="other organisation",
    ),
    Case("workshops:vignette_edit", answers=TRAINER_ONLY, kwargs=pk_of("own_vignette"), note="own"),
    Case(
        "workshops:vignette_edit",
        answers={ANONYMOUS: LOGIN},
        kwargs=pk_of("library_vignette"),
        note="library",
    ),
    Case(
        "workshops:vignette_edit",
        answers={ANONYMOUS: LOGIN},
        kwargs=pk_of("their_vignette"),
        note="other organisation",
    ),
    # Participants: no account; the signed cookie is the only key.
    Case("join:join", default=OK),
    Case("join:join", default=REDIRECT, method="post", data=join_data, note="right code"),
    Case(
        "join:join",
        default=BAD_REQUEST,
        method="post",
        data=lambda w: {"code": "ZZZZZZ", "display_name": "x"},
        note="wrong code",
    ),
    Case("join:answer", default=FORBIDDEN, answers={PARTICIPANT: OK}),
    Case(
        "join:answer",
        default=FORBIDDEN,
        answers={PARTICIPANT: REDIRECT},
        method="post",
        data=answer_data,
    ),
    Case("join:follow", default=NO_CONTENT, query="position=0"),
    Case("join:follow", default=NOT_ALLOWED, method="post", note="POST"),
]
