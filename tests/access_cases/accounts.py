"""Matrix entries for organisations, members, invitations, supervision links and audit pages.

Organisation admin pages answer 200 to that organisation's admin only; everyone else signed in
gets a 404 (never a 403, so nothing is revealed) and visitors are sent to sign in. Another
organisation's objects are a 404 even for an admin. POST-only URLs answer 405 to GET, before
any sign-in check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts import services
from accounts.models import Invitation, SupervisionLink
from tests.access_cases.core import (
    ANONYMOUS,
    BAD_REQUEST,
    GONE,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    ORG_ADMIN,
    REDIRECT,
    Answer,
    Case,
    World,
    everyone,
)


def extend_world(world: World) -> None:
    p = world.p
    send = services.invitation_send

    def invite(email: str, organisation: Any = None) -> tuple[Invitation, str]:
        return send(
            organisation=organisation or p.riverside,
            email=email,
            roles=["peer_worker"],
            by=p.hana if organisation == p.hillside else p.olive,
            site_root="http://testserver/",
        )

    world.objects["invitation"], world.objects["token"] = invite("newcomer@example.org")
    used, world.objects["used_token"] = invite("used@example.org")
    services.invitation_accept(invitation=used, username="used", password="a-long-passphrase-1")
    revoked, world.objects["revoked_token"] = invite("revoked@example.org")
    services.invitation_revoke(invitation=revoked, by=p.olive)
    expired, world.objects["expired_token"] = invite("expired@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    world.objects["hillside_invitation"], _token = invite("elsewhere@example.org", p.hillside)
    world.objects["hillside_link"] = SupervisionLink.objects.create(
        organisation=p.hillside, supervisor=p.hana, worker=p.omar
    )


def riverside(world: World) -> dict[str, Any]:
    return {"slug": "riverside"}


def member_of(username: str) -> Any:
    def kwargs(world: World) -> dict[str, Any]:
        return {"slug": "riverside", "pk": world.membership(username).pk}

    return kwargs


def token(key: str) -> Any:
    def kwargs(world: World) -> dict[str, Any]:
        return {"token": world.objects[key]}

    return kwargs


def admin_only(name: str, ok: Answer = OK, **fields: Any) -> Case:
    """Org admin gets `ok`, visitors the sign-in page, everyone else a 404."""
    return Case(name, default=NOT_FOUND, answers={ANONYMOUS: LOGIN, ORG_ADMIN: ok}, **fields)


def nobody(name: str, **fields: Any) -> Case:
    """Nobody reaches it (another organisation's object): 404, visitors the sign-in page."""
    return Case(name, default=NOT_FOUND, answers={ANONYMOUS: LOGIN}, **fields)


def not_allowed(name: str, method: str = "get", **fields: Any) -> Case:
    return Case(name, default=NOT_ALLOWED, method=method, **fields)


def other(world: World, key: str) -> Any:
    return world.objects[key]


CASES = [
    # Members
    admin_only("accounts:members", kwargs=riverside),
    not_allowed("accounts:members", "post", kwargs=riverside),
    nobody(
        "accounts:members",
        kwargs=lambda w: {"slug": "hillside"},
        note="another organisation",
    ),
    admin_only("accounts:member", kwargs=member_of("alice")),
    nobody("accounts:member", kwargs=member_of("omar"), note="another organisation's member"),
    admin_only(
        "accounts:member_roles",
        REDIRECT,
        method="post",
        kwargs=member_of("tara"),
        data=lambda w: {"roles": ["trainer", "supervisor"]},
    ),
    admin_only(
        "accounts:member_roles",
        method="post",
        kwargs=member_of("tara"),
        data=lambda w: {"roles": ["<b>emperor</b>"]},
        note="bad input",
    ),
    nobody(
        "accounts:member_roles",
        method="post",
        kwargs=member_of("omar"),
        data=lambda w: {"roles": ["org_admin"]},
        note="another organisation's member",
    ),
    not_allowed("accounts:member_roles", kwargs=member_of("tara")),
    admin_only("accounts:member_deactivate", REDIRECT, method="post", kwargs=member_of("bob")),
    nobody(
        "accounts:member_deactivate",
        method="post",
        kwargs=member_of("omar"),
        note="another organisation's member",
    ),
    admin_only(
        "accounts:member_deactivate",
        kwargs=member_of("bob"),
        note="the page that asks before deactivating",
    ),
    not_allowed("accounts:member_deactivate", method="put", kwargs=member_of("bob")),
    admin_only("accounts:member_reactivate", REDIRECT, method="post", kwargs=member_of("dee")),
    not_allowed("accounts:member_reactivate", kwargs=member_of("dee")),
    # Invitations
    admin_only("accounts:invitations", kwargs=riverside),
    admin_only(
        "accounts:invitations",
        REDIRECT,
        method="post",
        kwargs=riverside,
        data=lambda w: {"email": "someone@example.org", "roles": ["peer_worker"]},
    ),
    admin_only(
        "accounts:invitations",
        method="post",
        kwargs=riverside,
        data=lambda w: {"email": "<script>", "roles": ["x" * 300]},
        note="bad input",
    ),
    not_allowed("accounts:invitations", "delete", kwargs=riverside),
    admin_only(
        "accounts:invitation_revoke",
        REDIRECT,
        method="post",
        kwargs=lambda w: {"slug": "riverside", "pk": w.objects["invitation"].pk},
    ),
    nobody(
        "accounts:invitation_revoke",
        method="post",
        kwargs=lambda w: {"slug": "riverside", "pk": w.objects["hillside_invitation"].pk},
        note="another organisation's invitation",
    ),
    not_allowed(
        "accounts:invitation_revoke",
        kwargs=lambda w: {"slug": "riverside", "pk": w.objects["invitation"].pk},
    ),
    Case("accounts:invitation_accept", default=OK, kwargs=token("token")),
    Case(
        "accounts:invitation_accept",
        default=OK,
        answers={ANONYMOUS: LOGIN},
        method="post",
        kwargs=token("token"),
        data=lambda w: {
            "username": "newcomer",
            "password": "a-long-passphrase-2",
            "password_confirm": "a-long-passphrase-2",
        },
        note="signed-in people are asked to sign out first",
    ),
    Case("accounts:invitation_accept", default=GONE, kwargs=token("used_token"), note="used"),
    Case("accounts:invitation_accept", default=GONE, kwargs=token("revoked_token"), note="revoked"),
    Case("accounts:invitation_accept", default=GONE, kwargs=token("expired_token"), note="expired"),
    Case(
        "accounts:invitation_accept",
        default=NOT_FOUND,
        kwargs=lambda w: {"token": "no-such-invitation"},
        note="unknown token",
    ),
    not_allowed("accounts:invitation_accept", "delete", kwargs=token("token")),
    # Supervision links
    admin_only("accounts:supervision", kwargs=riverside),
    admin_only(
        "accounts:supervision",
        REDIRECT,
        method="post",
        kwargs=riverside,
        data=lambda w: {
            "supervisor": w.p.una.pk,
            "worker": w.p.alice.pk,
            "starts_on": timezone.localdate().isoformat(),
        },
    ),
    admin_only(
        "accounts:supervision",
        method="post",
        kwargs=riverside,
        data=lambda w: {"supervisor": w.p.hana.pk, "worker": w.p.omar.pk, "starts_on": "x"},
        note="another organisation's people",
    ),
    admin_only(
        "accounts:supervision_end",
        REDIRECT,
        method="post",
        kwargs=lambda w: {"slug": "riverside", "pk": w.p.sam_alice.pk},
    ),
    nobody(
        "accounts:supervision_end",
        method="post",
        kwargs=lambda w: {"slug": "riverside", "pk": w.objects["hillside_link"].pk},
        note="another organisation's link",
    ),
    not_allowed(
        "accounts:supervision_end",
        kwargs=lambda w: {"slug": "riverside", "pk": w.p.sam_alice.pk},
    ),
    # Settings and audit trails
    admin_only("accounts:organisation_settings", kwargs=riverside),
    admin_only(
        "accounts:organisation_settings",
        REDIRECT,
        method="post",
        kwargs=riverside,
        data=lambda w: {"requires_two_factor": "on"},
    ),
    nobody(
        "accounts:organisation_settings",
        kwargs=lambda w: {"slug": "hillside"},
        note="another organisation",
    ),
    admin_only("accounts:organisation_audit", kwargs=riverside),
    admin_only(
        "accounts:organisation_audit",
        kwargs=riverside,
        query="person=999999&action=%3Cscript%3E&page=-1",
        note="bad filters",
    ),
    not_allowed("accounts:organisation_audit", "post", kwargs=riverside),
    admin_only("accounts:organisation_audit_csv", kwargs=riverside),
    admin_only(
        "accounts:organisation_audit_csv",
        BAD_REQUEST,
        kwargs=riverside,
        query="start=2026-02-30",
        note="a bad date is a field error on the trail page",
    ),
    nobody(
        "accounts:organisation_audit_csv",
        kwargs=lambda w: {"slug": "hillside"},
        note="another organisation",
    ),
    not_allowed("accounts:organisation_audit_csv", "post", kwargs=riverside),
    nobody(
        "accounts:organisation_audit",
        kwargs=lambda w: {"slug": "hillside"},
        note="another organisation",
    ),
    Case("accounts:my_audit", answers=everyone(OK, anonymous=LOGIN)),
    not_allowed("accounts:my_audit", "post"),
]
