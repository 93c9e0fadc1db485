"""The demo organisations and people `seed_demo` creates, for trying every role at once.

Everything here is idempotent: each run brings the database to the same demo state without
duplicating rows or re-hashing passwords that are already right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Membership, Organisation, SupervisionLink, User

DEMO_PASSWORD = "appear-demo-2025"  # noqa: S105 (published on purpose: demo sites only)

Role = Membership.Role

# (slug, name) then (username, display name, roles) per organisation.
DEMO_ORGANISATIONS: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] = {
    ("riverside", "Riverside Peer Support"): [
        ("demo-worker", "Riley (demo peer worker)", (Role.PEER_WORKER,)),
        ("demo-worker-2", "Robin (demo peer worker)", (Role.PEER_WORKER,)),
        ("demo-supervisor", "Sasha (demo supervisor)", (Role.SUPERVISOR,)),
        ("demo-trainer", "Taylor (demo trainer)", (Role.TRAINER,)),
        ("demo-admin", "Alex (demo organisation admin)", (Role.ORG_ADMIN,)),
    ],
    ("hillside", "Hillside Recovery Service"): [
        ("other-worker", "Harper (Hillside peer worker)", (Role.PEER_WORKER,)),
        ("other-supervisor", "Hayden (Hillside supervisor)", (Role.SUPERVISOR,)),
    ],
}

# (supervisor, worker)
DEMO_LINKS = [
    ("demo-supervisor", "demo-worker"),
    ("demo-supervisor", "demo-worker-2"),
    ("other-supervisor", "other-worker"),
]


@dataclass
class DemoWorld:
    """What the people seeding created, handed to each later seeding hook."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    links: dict[tuple[str, str], SupervisionLink] = field(default_factory=dict)


def _demo_user(username: str, display_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "display_name": display_name},
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def seed_people() -> DemoWorld:
    """Create or restore the demo organisations, people, roles and supervision links.

    Neither organisation requires two-factor sign-in and nobody is enrolled, so every role can
    be tried with the published password.
    """
    world = DemoWorld()
    for (slug, name), people in DEMO_ORGANISATIONS.items():
        organisation, _ = Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "requires_two_factor": False}
        )
        world.organisations[slug] = organisation
        for username, display_name, roles in people:
            user = _demo_user(username, display_name)
            world.users[username] = user
            flags = {field: role in roles for role, field in Membership.ROLE_FIELDS.items()}
            Membership.objects.update_or_create(
                user=user,
                organisation=organisation,
                defaults={**flags, "is_active": True, "deactivated_at": None},
            )
    for supervisor, worker in DEMO_LINKS:
        membership = Membership.objects.select_related("organisation").get(user=world.users[worker])
        link, _ = SupervisionLink.objects.get_or_create(
            supervisor=world.users[supervisor],
            worker=world.users[worker],
            ended_at=None,
            defaults={"organisation": membership.organisation},
        )
        world.links[(supervisor, worker)] = link
    return world
