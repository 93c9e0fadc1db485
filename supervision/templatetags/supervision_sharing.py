"""Template helpers for sharing pages."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reflections.models import Reflection

register = template.Library()


@register.simple_tag
def reflection_title(reflection: Reflection) -> str:
    """A reflection's title without any of its content: the session date and the label.

    The person label is a pseudonym the worker chose ("J"), shown to those who may read the
    reflection; e-mails never use this title.
    """
    day = date_format(reflection.session_date, "j F Y")
    if reflection.person_label:
        return _("Session with %(label)s on %(date)s") % {
            "label": reflection.person_label,
            "date": day,
        }
    return _("Session on %(date)s") % {"date": day}
