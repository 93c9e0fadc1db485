"""Personas shared by the whole suite.

Riverside is the main organisation: Alice and Bob are peer workers supervised by Sam; Una is a
supervisor there who does not supervise them; Tara trains; Olive administers the organisation;
Dee was a peer worker there and has been deactivated. Hillside is another organisation with its
own worker, Omar, and supervisor, Hana. Everyone's password is PASSWORD.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Organisation, SupervisionLink, User

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Personas:
    riverside: Organisation
    hillside: Organisation
    alice: User  # peer worker
    bob: User  # another peer worker, same supervisor
    sam: User  # supervises alice and bob
    una: User  # supervisor in the same organisation, unrelated to alice and bob
    tara: User  # trainer
    olive: User  # organisation admin
    dee: User  # deactivated peer worker
    omar: User  # peer worker in another organisation
    hana: User  # supervisor in another organisation
    sam_alice: SupervisionLink
    sam_bob: SupervisionLink

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client


def make_user(username: str, **extra: object) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        display_name=username.capitalize(),
        **extra,
    )


def make_member(
    user: User, organisation: Organisation, *roles: str, active: bool = True
) -> Membership:
    flags = {Membership.ROLE_FIELDS[role]: True for role in roles}
    return Membership.objects.create(
        user=user,
        organisation=organisation,
        is_active=active,
        deactivated_at=None if active else timezone.now(),
        **flags,
    )


def make_personas() -> Personas:
    role = Membership.Role
    riverside = Organisation.objects.create(name="Riverside Peer Support", slug="riverside")
    hillside = Organisation.objects.create(name="Hillside Recovery Service", slug="hillside")
    users = {
        name: make_user(name)
        for name in ("alice", "bob", "sam", "una", "tara", "olive", "dee", "omar", "hana")
    }
    make_member(users["alice"], riverside, role.PEER_WORKER)
    make_member(users["bob"], riverside, role.PEER_WORKER)
    make_member(users["sam"], riverside, role.SUPERVISOR)
    make_member(users["una"], riverside, role.SUPERVISOR)
    make_member(users["tara"], riverside, role.TRAINER)
    make_member(users["olive"], riverside, role.ORG_ADMIN)
    make_member(users["dee"], riverside, role.PEER_WORKER, active=False)
    make_member(users["omar"], hillside, role.PEER_WORKER)
    make_member(users["hana"], hillside, role.SUPERVISOR)
    sam_alice = SupervisionLink.objects.create(
        organisation=riverside, supervisor=users["sam"], worker=users["alice"]
    )
    sam_bob = SupervisionLink.objects.create(
        organisation=riverside, supervisor=users["sam"], worker=users["bob"]
    )
    return Personas(
        riverside=riverside, hillside=hillside, sam_alice=sam_alice, sam_bob=sam_bob, **users
    )
