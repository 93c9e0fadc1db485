"""Matrix entries for a person's own data (export) and the admin's failed background work.

Every signed-in person may export what is theirs; an export is reached by its owner only, and
anyone else gets a 404. The failed-work page is the organisation admin's, like the audit trail.
"""

from __future__ import annotations

from typing import Any

from datarights.models import Export
from tests.access_cases.core import (
    ANONYMOUS,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    ORG_ADMIN,
    PEER_WORKER,
    REDIRECT,
    Case,
    World,
    everyone,
)
from tests.base import PASSWORD


def extend_world(world: World) -> None:
    # Ready, but its file is gone: the owner's download is refused with a message (a redirect).
    world.objects["export"] = Export.objects.create(
        user=world.p.alice, status=Export.Status.READY, file_name="missing.zip"
    )


def alice_export(world: World) -> dict[str, Any]:
    return {"pk": world.objects["export"].pk}


def riverside(world: World) -> dict[str, Any]:
    return {"slug": "riverside"}


def member_of(username: str) -> Any:
    def kwargs(world: World) -> dict[str, Any]:
        return {"slug": "riverside", "pk": world.membership(username).pk}

    return kwargs


def own_password(world: World) -> dict[str, Any]:
    return {"password": PASSWORD, "confirm": "on"}


CASES = [
    Case("datarights:export", answers=everyone(OK, anonymous=LOGIN)),
    Case("datarights:export", default=NOT_ALLOWED, method="post"),
    Case("datarights:export_create", answers=everyone(REDIRECT, anonymous=LOGIN), method="post"),
    Case("datarights:export_create", default=NOT_ALLOWED),
    Case(
        "datarights:export_status",
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT},
        kwargs=alice_export,
    ),
    Case(
        "datarights:export_download",
        answers={ANONYMOUS: LOGIN, PEER_WORKER: REDIRECT},
        method="post",
        kwargs=alice_export,
    ),
    Case("datarights:export_download", default=NOT_ALLOWED, kwargs=alice_export),
    Case(
        "datarights:failed_tasks",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: OK},
        kwargs=riverside,
    ),
    Case(
        "datarights:retention",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: OK},
        kwargs=riverside,
    ),
    Case(
        "datarights:retention",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: REDIRECT},
        method="post",
        kwargs=riverside,
        data=lambda w: {"reflection_days": "900", "record_days": "900", "audit_days": "900"},
    ),
    Case(
        "datarights:retention",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: OK},
        method="post",
        kwargs=riverside,
        data=lambda w: {"reflection_days": "-1", "audit_days": "<b>"},
        note="bad input",
    ),
    Case(
        "datarights:retention",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN},
        kwargs=lambda w: {"slug": "hillside"},
        note="another organisation",
    ),
    Case("datarights:import", answers=everyone(OK, anonymous=LOGIN)),
    Case(
        "datarights:import",
        answers=everyone(OK, anonymous=LOGIN),
        method="post",
        note="no file",
    ),
    Case("datarights:erase", answers=everyone(OK, anonymous=LOGIN)),
    Case(
        "datarights:erase",
        answers=everyone(OK, anonymous=LOGIN),
        method="post",
        data=lambda w: {"password": "not it", "confirm": "on"},
        note="wrong password",
    ),
    Case(
        "datarights:erase",
        answers=everyone(REDIRECT, anonymous=LOGIN),
        method="post",
        data=own_password,
    ),
    Case(
        "datarights:member_erase",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: OK},
        kwargs=member_of("alice"),
    ),
    Case(
        "datarights:member_erase",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: REDIRECT},
        method="post",
        kwargs=member_of("alice"),
        data=lambda w: {"confirm": "on"},
    ),
    Case(
        "datarights:member_erase",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN},
        kwargs=member_of("olive"),
        note="the admin themselves",
    ),
    Case(
        "datarights:member_erase",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN},
        kwargs=member_of("omar"),
        note="another organisation's member",
    ),
    Case(
        "datarights:failed_tasks",
        default=NOT_FOUND,
        answers={ANONYMOUS: LOGIN},
        kwargs=lambda w: {"slug": "hillside"},
        note="another organisation",
    ),
]
