"""One way to read a reflection: everything a reader sees of it, for pages and PDFs alike.

Two readers exist. Its author reads the reflection as it stands, open amendment included, with
its history. Anyone it was shared with reads it *as shared*: while the author is amending it,
the content as last submitted (kept in `amendment_base` when the amendment began), because
unfinished changes are the author's alone until they submit them. Every page, PDF, brief and
dashboard that shows a reflection's content goes through this module, so no second pipeline
can disagree about which words a reader sees.

Content is the snapshot of `flow_selectors.reflection_snapshot`, with its dates as dates: the
same shape for the page, the check page, the privacy check, a stored revision and the PDF,
rendered by one partial (`reflections/partials/_reflection_body.html`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Count, F, QuerySet, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from framework.models import Mechanism
from reflections.flow_selectors import (
    content_lookups,
    reflection_content,
    reflection_snapshot,
    snapshot_for_display,
)
from reflections.models import Action, Reflection, ReflectionRevision


class Reader(StrEnum):
    """Who reads, which decides which version they see."""

    AUTHOR = "author"
    # Someone the author shared the reflection with: the last submitted version.
    AS_SHARED = "as_shared"


@dataclass(frozen=True)
class ReflectionReading:
    """What one reader sees of one reflection."""

    reflection: Reflection
    content: dict[str, Any]
    revisions: list[ReflectionRevision]
    reader: Reader

    @property
    def is_last_submitted_copy(self) -> bool:
        """True when an amendment is open and this reader is shown the version before it."""
        return self.reader is Reader.AS_SHARED and self.reflection.is_amending

    @property
    def title(self) -> str:
        return reading_title(self.content)


def _shared_snapshot(reflection: Reflection) -> dict[str, Any] | None:
    """The last submitted content while an amendment is open; None when there is none."""
    if reflection.is_amending and reflection.amendment_base is not None:
        base: dict[str, Any] = reflection.amendment_base
        return base
    return None


def read_reflection(
    *, reflection: Reflection, reader: Reader, history: bool = True
) -> ReflectionReading:
    """Everything `reader` sees of `reflection`, which the caller obtained through access.

    The author: the content as it stands and, unless `history` is False (the check page and
    the privacy check list no history), the amendment history; six queries, or five. A reader
    it was shared with: five queries for the rows, none while an amendment is open (the last
    submitted content is stored on the reflection); no history, which is the author's.
    """
    if reader is Reader.AS_SHARED:
        base = _shared_snapshot(reflection)
        snapshot = base if base is not None else reflection_content(reflection=reflection)
        return ReflectionReading(
            reflection=reflection,
            content=_with_mechanism_keys([snapshot_for_display(snapshot)])[0],
            revisions=[],
            reader=reader,
        )
    snapshot = reflection_content(reflection=reflection)
    revisions = (
        list(
            ReflectionRevision.objects.filter(reflection=reflection)
            .defer("snapshot")
            .order_by("revision")
        )
        if history
        else []
    )
    return ReflectionReading(
        reflection=reflection,
        content=snapshot_for_display(snapshot),
        revisions=revisions,
        reader=reader,
    )


def read_shared(*, reflections: Sequence[Reflection]) -> dict[int, dict[str, Any]]:
    """The as-shared content of many reflections, by id, in at most six queries in all.

    Reflections under amendment give their stored last submitted content (no query); the
    others are read whole at once: framework versions, ratings, their factors, chains,
    outcome observations and actions. For the brief, the dashboard and the practice glance.
    """
    contents: dict[int, dict[str, Any]] = {}
    live: list[Reflection] = []
    for reflection in reflections:
        base = _shared_snapshot(reflection)
        if base is not None:
            contents[reflection.pk] = snapshot_for_display(base)
        else:
            live.append(reflection)
    if live:
        prefetch_related_objects(live, "framework_version", *content_lookups())
        for reflection in live:
            contents[reflection.pk] = snapshot_for_display(reflection_snapshot(reflection))
    keyed = _with_mechanism_keys(list(contents.values()))
    return dict(zip(contents, keyed, strict=True))


def _with_mechanism_keys(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill in each chain's mechanism key where a snapshot stored before it was kept lacks it.

    Snapshots taken since the key was added carry it; for older ones one query finds them.
    """
    missing = {
        chain["mechanism_id"]
        for content in contents
        for chain in content.get("chains", [])
        if "mechanism_key" not in chain
    }
    if not missing:
        return contents
    keys = dict(Mechanism.objects.filter(pk__in=missing).values_list("pk", "key"))
    return [
        {
            **content,
            "chains": [
                {
                    **chain,
                    "mechanism_key": chain.get("mechanism_key", keys.get(chain["mechanism_id"])),
                }
                for chain in content.get("chains", [])
            ],
        }
        for content in contents
    ]


def shared_heading(reflection: Reflection) -> tuple[date | None, str]:
    """The session date and person label a reader it was shared with sees. No query.

    While an amendment is open these come from the last submitted content, so a list of
    shares never shows a date or label the author has not submitted.
    """
    base = _shared_snapshot(reflection)
    if base is None:
        return reflection.session_date, reflection.person_label
    content = snapshot_for_display(base)
    return content["session_date"], content.get("person_label") or ""


def heading_title(session_date: date | None, person_label: str) -> str:
    """A reflection's title without any of its content: the session date and the label."""
    day = date_format(session_date, "j F Y") if session_date else _("an unknown date")
    if person_label:
        return _("Session with %(label)s on %(date)s") % {"label": person_label, "date": day}
    return _("Session on %(date)s") % {"date": day}


def reading_title(content: dict[str, Any]) -> str:
    return heading_title(content.get("session_date"), content.get("person_label") or "")


def chain_sentence(chain: dict[str, Any], *, short: bool = False) -> SafeString:
    """A chain of the content as one sentence, the same wherever a chain is shown.

    `short` names the mechanism by its short name, for the one-page brief. How sure the
    worker was is shown beside it (a badge on the page, words in the brief).
    """
    return format_html(
        _(
            "Through {context}, they seemed to come to feel “{mechanism}”, with a shift in "
            "{domain}."
        ),
        context=format_html('<strong class="context-name">{}</strong>', chain["context"]),
        mechanism=chain["mechanism_short"] if short else chain["mechanism"],
        domain=format_html("<strong>{}</strong>", str(chain["outcome_domain"]).lower()),
    )


@dataclass(frozen=True)
class SharedAction:
    """An open action of a shared reflection, as the reader it was shared with sees it."""

    text: str
    due_on: date | None
    reflection_id: int
    author_id: int
    session_date: date | None


def open_actions_as_shared(*, reflections: QuerySet[Reflection]) -> list[SharedAction]:
    """The undone actions of `reflections`, each as last submitted, due soonest first.

    Two queries whatever their number: the actions of reflections not being amended, with
    their reflection, and the reflections being amended, whose last submitted actions are in
    their stored content. Then those without a date, newest session first.
    """
    found = [
        SharedAction(
            text=action.text,
            due_on=action.due_on,
            reflection_id=action.reflection_id,
            author_id=action.reflection.author_id,
            session_date=action.reflection.session_date,
        )
        for action in Action.objects.filter(
            done_at__isnull=True,
            reflection__in=reflections.filter(amendment_base__isnull=True).values("pk"),
        )
        .select_related("reflection")
        .order_by("order", "pk")
    ]
    for reflection in reflections.filter(amendment_base__isnull=False).only(
        "pk", "author_id", "status", "session_date", "amendment_base"
    ):
        content = snapshot_for_display(reflection.amendment_base or {})
        found.extend(
            SharedAction(
                text=action["text"],
                due_on=action["due_on"],
                reflection_id=reflection.pk,
                author_id=reflection.author_id,
                session_date=content["session_date"],
            )
            for action in content.get("actions", [])
            if not action.get("done_at")
        )
    return sorted(
        found,
        key=lambda action: (
            action.due_on is None,
            action.due_on or date.min,
            -(action.session_date or date.min).toordinal(),
        ),
    )


def _action_order(action: SharedAction) -> tuple[bool, date, int]:
    """Due soonest first, then those without a date from the newest session."""
    return (
        action.due_on is None,
        action.due_on or date.min,
        -(action.session_date or date.min).toordinal(),
    )


def open_actions_as_shared_by_author(
    *, reflections: QuerySet[Reflection], limit: int
) -> tuple[dict[int, list[SharedAction]], dict[int, int]]:
    """The first `limit` undone actions of each author's `reflections`, and how many there are.

    Each action as last submitted, in `open_actions_as_shared`'s order. Two queries whatever
    the number of actions: the first `limit` of each author with each author's count, ranked
    in the database (a window over the actions of reflections not being amended, through the
    index on the action's reflection), and the reflections being amended, whose last submitted
    actions are in their stored content. Cost follows `limit` and the open amendments, not
    the length of anyone's history.
    """
    # Actions carry their reflection's author (a copy), so partitioning needs no join.
    author = F("author")
    rows = (
        Action.objects.filter(
            done_at__isnull=True,
            reflection__in=reflections.filter(amendment_base__isnull=True).values("pk"),
        )
        .annotate(
            session_date=F("reflection__session_date"),
            rank=Window(
                RowNumber(),
                partition_by=[author],
                order_by=[
                    F("due_on").asc(nulls_last=True),
                    F("reflection__session_date").desc(nulls_last=True),
                    F("order").asc(),
                    F("pk").asc(),
                ],
            ),
            of_author=Window(Count("pk"), partition_by=[author]),
        )
        .filter(rank__lte=limit)
        .values("text", "due_on", "reflection_id", "author_id", "session_date", "of_author")
        .order_by("author_id", "rank")
    )
    found: dict[int, list[SharedAction]] = {}
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["author_id"]] = row["of_author"]
        found.setdefault(row["author_id"], []).append(
            SharedAction(
                text=row["text"],
                due_on=row["due_on"],
                reflection_id=row["reflection_id"],
                author_id=row["author_id"],
                session_date=row["session_date"],
            )
        )
    for reflection in reflections.filter(amendment_base__isnull=False).only(
        "pk", "author_id", "status", "session_date", "amendment_base"
    ):
        content = snapshot_for_display(reflection.amendment_base or {})
        actions = [
            SharedAction(
                text=action["text"],
                due_on=action["due_on"],
                reflection_id=reflection.pk,
                author_id=reflection.author_id,
                session_date=content["session_date"],
            )
            for action in content.get("actions", [])
            if not action.get("done_at")
        ]
        found.setdefault(reflection.author_id, []).extend(actions)
        counts[reflection.author_id] = counts.get(reflection.author_id, 0) + len(actions)
    return (
        {key: sorted(actions, key=_action_order)[:limit] for key, actions in found.items()},
        counts,
    )
