"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import Membership, Organisation, User
from accounts.selectors import memberships_active


@dataclass
class Navigation:
    """What the signed-in person's roles let them reach, for the header and the dashboard."""

    memberships: list[Membership] = field(default_factory=list)

    @property
    def roles(self) -> set[str]:
        return {role for membership in self.memberships for role in membership.roles}

    @property
    def admin_organisations(self) -> list[Organisation]:
        return [m.organisation for m in self.memberships if m.is_org_admin]

    @property
    def is_peer_worker(self) -> bool:
        return Membership.Role.PEER_WORKER in self.roles

    @property
    def is_supervisor(self) -> bool:
        return Membership.Role.SUPERVISOR in self.roles

    @property
    def is_trainer(self) -> bool:
        return Membership.Role.TRAINER in self.roles

    @property
    def is_org_admin(self) -> bool:
        return Membership.Role.ORG_ADMIN in self.roles


def _navigation(request: HttpRequest) -> Navigation:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return Navigation()
    return Navigation(memberships=memberships_active(user))


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SESSION_IDLE_TIMEOUT": settings.SESSION_IDLE_TIMEOUT,
        # Lazy: one query, and only on pages that show the navigation to a signed-in person.
        "nav": SimpleLazyObject(lambda: _navigation(request)),
    }
