"""Template helpers for the sign-in security pages."""

from __future__ import annotations

from django import template

from accounts.models import User
from accounts.two_factor import two_factor_required

register = template.Library()


@register.simple_tag
def two_factor_required_for(user: User) -> bool:
    """`{% two_factor_required_for user as required %}`: whether their organisation asks it."""
    return user.is_authenticated and two_factor_required(user=user)


@register.filter
def in_groups_of_four(secret: str) -> str:
    """Split an authenticator key into groups of four, easier to copy and able to wrap."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
