"""Template helpers for reflections.reading: a chain's sentence, a reading's title."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from reflections import reading

register = template.Library()


@register.simple_tag
def chain_sentence(chain: dict[str, Any], short: bool = False) -> SafeString:
    """One chain of a reading's content as the sentence every page and PDF uses."""
    return reading.chain_sentence(chain, short=short)


@register.simple_tag
def reading_title(content: dict[str, Any]) -> str:
    """The session date and person label of a reading's content, as a title."""
    return reading.reading_title(content)
