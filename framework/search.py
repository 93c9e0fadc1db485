"""Search over the framework's own text, filtered in Python over the current version.

The framework is a few hundred short strings, so the whole corpus is read in a fixed number
of queries (selectors.search_corpus) and matched here. A result matches when every word of
the query appears in it, ignoring case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from framework.caching import cached_for_version
from framework.models import FrameworkVersion
from framework.selectors import search_corpus

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

KIND_TITLES = {
    "context": gettext_lazy("Contexts"),
    "factor": gettext_lazy("Interpersonal factors"),
    "mechanism": gettext_lazy("Mechanisms"),
    "outcome": gettext_lazy("Outcome domains and outcomes"),
    "reflection": gettext_lazy("Stakeholder reflections"),
    "tension": gettext_lazy("Tensions and reflection prompts"),
    "quote": gettext_lazy("Quotes from the included studies"),
}


class QueryProblem(ValueError):
    """The query cannot be searched; the message says why, for the person who typed it."""


def query_terms(query: str) -> list[str]:
    """The distinct words of a query, lower-cased, in the order typed.

    Raises QueryProblem for an empty or over-long query.
    """
    text = query.strip()
    if not text:
        raise QueryProblem(_("Type a word or two to search for."))
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryProblem(
            _("That search is too long. Use %(limit)d characters or fewer.")
            % {"limit": MAX_QUERY_LENGTH}
        )
    terms: list[str] = []
    for word in text.casefold().split():
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def highlight(text: str, terms: list[str]) -> SafeString:
    """The text, escaped, with each occurrence of a term wrapped in <mark>.

    Matching runs on the raw text and each piece is escaped on its own, so a term can never
    match inside an entity such as `&amp;` or break the markup.
    """
    spans: list[tuple[int, int]] = []
    folded = text.casefold()
    # casefold can change a string's length (ß → ss); then positions do not line up, so the
    # text is shown without marks rather than with misplaced ones.
    if len(folded) == len(text):
        for term in terms:
            spans.extend(
                (match.start(), match.end()) for match in re.finditer(re.escape(term), folded)
            )
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    pieces: list[str] = []
    position = 0
    for start, end in merged:
        pieces.append(escape(text[position:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


@dataclass(frozen=True)
class Hit:
    title: SafeString
    url: str
    text: SafeString
    note: str = ""


@dataclass(frozen=True)
class HitGroup:
    kind: str
    title: str
    hits: list[Hit]


def _matches(terms: list[str], *texts: str) -> bool:
    haystack = " ".join(texts).casefold()
    return all(term in haystack for term in terms)


def framework_search(*, version: FrameworkVersion, terms: list[str]) -> list[HitGroup]:
    """Results grouped by kind, in the framework's own order; groups without hits are left out."""
    corpus = cached_for_version(
        version, "explorer:search-corpus", lambda: search_corpus(version=version)
    )
    groups: dict[str, list[Hit]] = {kind: [] for kind in KIND_TITLES}

    def mark(text: str) -> SafeString:
        return highlight(text, terms)

    for context in corpus.contexts:
        url = context.get_absolute_url()
        if _matches(terms, context.name, " ".join(context.aliases), context.summary):
            groups["context"].append(Hit(mark(context.name), url, mark(context.summary)))
        for factor in context.factors.all():
            if _matches(terms, factor.name, factor.definition):
                groups["factor"].append(
                    Hit(
                        mark(factor.name),
                        f"{url}#factor-{factor.key}",
                        mark(factor.definition),
                        _("in %(context)s") % {"context": context.name},
                    )
                )

    for mechanism in corpus.mechanisms:
        wordings = [mechanism.short_name, mechanism.preferred_wording, *mechanism.aliases]
        if _matches(terms, mechanism.statement, *wordings):
            matched = [w for w in wordings if w and any(t in w.casefold() for t in terms)]
            groups["mechanism"].append(
                Hit(
                    mark(mechanism.statement),
                    mechanism.get_absolute_url(),
                    mark("; ".join(dict.fromkeys(matched))),
                    mechanism.group.name,
                )
            )

    for domain in corpus.domains:
        outcomes = list(domain.outcomes.all())
        wordings = [w for outcome in outcomes for w in (outcome.name, *outcome.wording_in_text)]
        if _matches(terms, domain.name, domain.summary, *wordings):
            names = "; ".join(outcome.name for outcome in outcomes)
            groups["outcome"].append(
                Hit(
                    mark(domain.name),
                    domain.get_absolute_url(),
                    mark(f"{domain.summary} {names}".strip()),
                )
            )

    for reflection in corpus.reflections:
        if _matches(terms, reflection.summary):
            groups["reflection"].append(
                Hit(
                    mark(reflection.context.name),
                    f"{reflection.context.get_absolute_url()}#reflections",
                    mark(reflection.summary),
                )
            )

    for tension in corpus.tensions:
        if _matches(terms, tension.name, tension.summary, *tension.prompts):
            contexts = list(tension.contexts.all())
            url = (
                f"{contexts[0].get_absolute_url()}#tension-{tension.key}"
                if contexts
                else reverse("framework:overview")
            )
            prompts = [p for p in tension.prompts if any(t in p.casefold() for t in terms)]
            groups["tension"].append(
                Hit(
                    mark(tension.name),
                    url,
                    mark(" ".join(prompts) or tension.summary),
                    ", ".join(context.name for context in contexts),
                )
            )

    quoted: set[tuple[str, str]] = set()
    for link in corpus.links:
        source = link.quote_reference.short if link.quote_reference else ""
        # Several links from one sentence of the paper share a quote; show it once.
        if (link.quote_text, source) in quoted:
            continue
        if _matches(terms, link.quote_text, source):
            quoted.add((link.quote_text, source))
            groups["quote"].append(
                Hit(
                    mark(source),
                    f"{link.context.get_absolute_url()}#link-{link.code}",
                    mark(link.quote_text),
                    f"{link.context.name} → {link.mechanism.short_name} → {link.outcome.name}",
                )
            )

    return [
        HitGroup(kind=kind, title=str(KIND_TITLES[kind]), hits=hits)
        for kind, hits in groups.items()
        if hits
    ]
