"""Reads for writing and reading one reflection: framework choices, and a reflection's content.

Everything comes from the reflection's own framework version, never the current one, so an
old draft keeps offering the contexts it was started with. Each reader runs a fixed number of
queries whatever the number of rows, with the prefetches built in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from framework.caching import cached_for_version
from framework.models import (
    Context,
    Factor,
    FrameworkVersion,
    Link,
    Mechanism,
    OutcomeDomain,
    Reference,
    Tension,
)
from reflections.models import (
    Action,
    Chain,
    ContextRating,
    OutcomeObservation,
    Reflection,
    ReflectionRevision,
)

SNAPSHOT_SCHEMA = 1


def version_contexts(*, version: FrameworkVersion) -> list[Context]:
    """The version's five contexts with their factors and tensions.

    From the shared cache (framework.caching); three queries when it is not there yet.
    """
    return cached_for_version(version, "flow:contexts", lambda: _version_contexts(version))


def _version_contexts(version: FrameworkVersion) -> list[Context]:
    return list(
        Context.objects.filter(version=version)
        .order_by("order")
        .prefetch_related(
            Prefetch("factors", queryset=Factor.objects.order_by("order")),
            Prefetch("tensions", queryset=Tension.objects.order_by("order")),
        )
    )


def version_domains(*, version: FrameworkVersion) -> list[OutcomeDomain]:
    """The version's six outcome domains. From the shared cache, or one query."""
    return cached_for_version(
        version,
        "flow:domains",
        lambda: list(OutcomeDomain.objects.filter(version=version).order_by("number")),
    )


@dataclass
class ChainChoices:
    """What a chain can be made of in one framework version, and how the evidence links them.

    `mechanism_studies[(context_id, mechanism_id)]` is the number of included studies cited
    for a link from that context through that mechanism (as the main or an additional
    mechanism); `domain_studies[(context_id, domain_id)]` likewise for outcome domains.
    """

    contexts: list[Context]
    mechanisms: list[Mechanism]
    domains: list[OutcomeDomain]
    mechanism_studies: dict[tuple[int, int], int] = field(default_factory=dict)
    domain_studies: dict[tuple[int, int], int] = field(default_factory=dict)

    def context(self, pk: int | None) -> Context | None:
        return next((context for context in self.contexts if context.pk == pk), None)


def unfinished_chains(*, reflection: Reflection) -> list[dict[str, str]]:
    """The draft's unfinished chains in words, for the check page.

    No query when there are none; otherwise three, whatever their number.
    """
    items = reflection.incomplete_chains or []
    if not items:
        return []

    def ids(key: str) -> set[int]:
        return {int(item[key]) for item in items if item.get(key) is not None}

    version = reflection.framework_version_id
    contexts = dict(
        Context.objects.filter(version_id=version, pk__in=ids("context")).values_list("pk", "name")
    )
    mechanisms = dict(
        Mechanism.objects.filter(version_id=version, pk__in=ids("mechanism")).values_list(
            "pk", "short_name"
        )
    )
    domains = dict(
        OutcomeDomain.objects.filter(version_id=version, pk__in=ids("outcome_domain")).values_list(
            "pk", "name"
        )
    )
    return [
        {
            "context": contexts.get(item.get("context"), ""),
            "mechanism": mechanisms.get(item.get("mechanism"), ""),
            "outcome_domain": domains.get(item.get("outcome_domain"), ""),
            "description": str(item.get("description") or ""),
        }
        for item in items
    ]


def chain_choices(*, version: FrameworkVersion) -> ChainChoices:
    """Contexts, mechanisms, domains and the study counts behind each link.

    From the shared cache (framework.caching); five queries when it is not there yet.
    """
    return cached_for_version(version, "flow:chain-choices", lambda: _chain_choices(version))


def _chain_choices(version: FrameworkVersion) -> ChainChoices:
    contexts = list(Context.objects.filter(version=version).order_by("order"))
    mechanisms = list(Mechanism.objects.filter(version=version).order_by("order"))
    domains = list(OutcomeDomain.objects.filter(version=version).order_by("number"))

    cited = Link.citations.through.objects.filter(
        link__version=version, reference__kind=Reference.Kind.STUDY
    ).values_list(
        "link_id",
        "link__context_id",
        "link__mechanism_id",
        "link__outcome__domain_id",
        "reference_id",
    )
    link_refs: dict[int, set[int]] = defaultdict(set)
    link_context: dict[int, int] = {}
    mechanism_refs: dict[tuple[int, int], set[int]] = defaultdict(set)
    domain_refs: dict[tuple[int, int], set[int]] = defaultdict(set)
    for link_id, context_id, mechanism_id, domain_id, reference_id in cited:
        link_refs[link_id].add(reference_id)
        link_context[link_id] = context_id
        mechanism_refs[(context_id, mechanism_id)].add(reference_id)
        domain_refs[(context_id, domain_id)].add(reference_id)
    additional = Link.additional_mechanisms.through.objects.filter(
        link__version=version
    ).values_list("link_id", "mechanism_id")
    for link_id, mechanism_id in additional:
        if link_id in link_context:
            mechanism_refs[(link_context[link_id], mechanism_id)] |= link_refs[link_id]

    return ChainChoices(
        contexts=contexts,
        mechanisms=mechanisms,
        domains=domains,
        mechanism_studies={key: len(refs) for key, refs in mechanism_refs.items()},
        domain_studies={key: len(refs) for key, refs in domain_refs.items()},
    )


def _ratings() -> QuerySet[ContextRating]:
    return ContextRating.objects.select_related("context").prefetch_related(
        Prefetch("factors", queryset=Factor.objects.order_by("order"))
    )


def reflection_rows(*, reflection: Reflection, step: str) -> Reflection:
    """Load the rows one step edits onto `reflection`. At most two queries.

    Contexts: ratings and their factors; chains; outcomes; next steps: actions; the quick
    reflection ("quick"): ratings, their factors and chains (three queries).
    """
    lookups: dict[str, list[str | Prefetch[Any]]] = {
        "quick": [Prefetch("context_ratings", queryset=_ratings()), "chains"],
        "contexts": [Prefetch("context_ratings", queryset=_ratings())],
        "chains": ["chains"],
        "outcomes": ["outcome_observations"],
        "next-steps": ["actions"],
    }
    if step in lookups:
        _forget_rows(reflection)
        prefetch_related_objects([reflection], *lookups[step])
    return reflection


def _forget_rows(reflection: Reflection) -> None:
    # A reflection object reused after a save would otherwise keep the rows it read before.
    getattr(reflection, "_prefetched_objects_cache", {}).clear()


def content_lookups() -> list[Prefetch[Any]]:
    """The prefetches that load every row of a reflection's content: five queries.

    Ratings (with contexts), their factors, chains (with context, mechanism and domain),
    outcome observations (with domains) and actions.
    """
    return [
        Prefetch("context_ratings", queryset=_ratings()),
        Prefetch(
            "chains",
            queryset=Chain.objects.select_related("context", "mechanism", "outcome_domain"),
        ),
        Prefetch(
            "outcome_observations",
            queryset=OutcomeObservation.objects.select_related("domain"),
        ),
        Prefetch("actions", queryset=Action.objects.all()),
    ]


def reflection_with_content(*, reflection: Reflection) -> Reflection:
    """Load every row of `reflection` for reading it whole. Six queries.

    The rows of `content_lookups` and the amendment history (content left out: the page
    lists the history, it does not print every old copy).
    """
    _forget_rows(reflection)
    prefetch_related_objects(
        [reflection],
        *content_lookups(),
        Prefetch(
            "revisions",
            queryset=ReflectionRevision.objects.defer("snapshot").order_by("revision"),
        ),
    )
    return reflection


def reflection_content(*, reflection: Reflection) -> dict[str, Any]:
    """All of `reflection`'s content as it stands now, as `reflection_snapshot` shapes it.

    Five queries (`content_lookups`). Callers that show content to a reader go through
    reflections.reading, which decides which version that reader sees.
    """
    _forget_rows(reflection)
    prefetch_related_objects([reflection], *content_lookups())
    return reflection_snapshot(reflection)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def reflection_snapshot(reflection: Reflection) -> dict[str, Any]:
    """All of a reflection's content as plain JSON-ready data, with labels resolved.

    The same shape serves the reflection page, the check page, the stored copy of an amended
    version and the privacy check, so an old version reads exactly as it was. Needs the rows
    loaded by `content_lookups` (`reflection_content` does both).
    """
    return {
        "schema": SNAPSHOT_SCHEMA,
        "revision": reflection.revision,
        "status": reflection.status,
        "submitted_at": _iso(reflection.submitted_at),
        "amended_at": _iso(reflection.amended_at),
        "snapshot_at": timezone.now().isoformat(),
        "framework_version": {
            "id": reflection.framework_version_id,
            "label": reflection.framework_version.label,
            "name": reflection.framework_version.name,
        },
        "session_date": _iso(reflection.session_date),
        "duration_minutes": reflection.duration_minutes,
        "setting": reflection.setting,
        "setting_label": str(reflection.get_setting_display()) if reflection.setting else "",
        "contact_stage": reflection.contact_stage,
        "contact_stage_label": (
            str(reflection.get_contact_stage_display()) if reflection.contact_stage else ""
        ),
        "person_label": reflection.person_label,
        "what_happened": reflection.what_happened,
        "how_i_felt": reflection.how_i_felt,
        "went_well": reflection.went_well,
        "was_hard": reflection.was_hard,
        "unintended_effects": reflection.unintended_effects,
        "learning": reflection.learning,
        "bring_to_supervision": reflection.bring_to_supervision,
        "context_ratings": [
            {
                "context_id": rating.context_id,
                "context_key": rating.context.key,
                "context": rating.context.name,
                "presence": rating.presence,
                "presence_label": (
                    str(rating.get_presence_display()) if rating.presence is not None else ""
                ),
                "factors": [
                    {"id": factor.pk, "name": factor.name} for factor in rating.factors.all()
                ],
                "evidence": rating.evidence,
            }
            for rating in sorted(reflection.context_ratings.all(), key=lambda r: r.context.order)
        ],
        "chains": [
            {
                "context_id": chain.context_id,
                "context_key": chain.context.key,
                "context": chain.context.name,
                "mechanism_id": chain.mechanism_id,
                "mechanism": chain.mechanism.full_statement,
                "mechanism_short": chain.mechanism.short_name,
                "mechanism_key": chain.mechanism.key,
                "outcome_domain_id": chain.outcome_domain_id,
                "outcome_domain_key": chain.outcome_domain.key,
                "outcome_domain": chain.outcome_domain.name,
                "description": chain.description,
                "confidence": chain.confidence,
                "confidence_label": str(chain.get_confidence_display()),
            }
            for chain in reflection.chains.all()
        ],
        "outcome_observations": [
            {
                "domain_id": observation.domain_id,
                "domain_key": observation.domain.key,
                "domain": observation.domain.name,
                "observation": observation.observation,
            }
            for observation in sorted(
                reflection.outcome_observations.all(), key=lambda o: o.domain.number
            )
        ],
        "actions": [
            {
                "text": action.text,
                "due_on": _iso(action.due_on),
                "done_at": _iso(action.done_at),
            }
            for action in reflection.actions.all()
        ],
    }


def snapshot_content(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The parts of a snapshot that are the worker's answers (not status or timestamps).

    A chain's `mechanism_key` is left out too: snapshots stored before it was added lack it,
    and it only restates `mechanism_id`, so an amendment begun then and submitted unchanged
    must not count as a change.
    """
    ignored = {"revision", "status", "submitted_at", "amended_at", "snapshot_at"}
    content = {key: value for key, value in snapshot.items() if key not in ignored}
    if "chains" in content:
        content["chains"] = [
            {key: value for key, value in chain.items() if key != "mechanism_key"}
            for chain in content["chains"]
        ]
    return content


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def snapshot_for_display(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with its dates as dates again, for templates to format."""
    shown = dict(snapshot)
    shown["session_date"] = _date(snapshot.get("session_date"))
    shown["actions"] = [
        {**action, "due_on": _date(action.get("due_on"))} for action in snapshot.get("actions", [])
    ]
    return shown
