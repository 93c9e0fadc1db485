"""Template helpers for sharing pages."""

from __future__ import annotations

from django import template

from reflections.models import Reflection
from reflections.reading import heading_title, shared_heading

register = template.Library()


@register.simple_tag
def reflection_title(reflection: Reflection) -> str:
    """A reflection's title without any of its content: the session date and the label.

    The person label is a pseudonym the worker chose ("J"), shown to those who may read the
    reflection; e-mails never use this title.
    """
    return heading_title(reflection.session_date, reflection.person_label)


@register.simple_tag
def shared_title(reflection: Reflection) -> str:
    """The title a supervisor sees: as last submitted while the author is amending it."""
    return heading_title(*shared_heading(reflection))
