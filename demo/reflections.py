"""Demo and synthetic reflections.

`seed_reflections` gives the demo accounts about six months of varied, realistic and wholly
fictional reflections, written for this project and kept as data in demo/data/reflections.yaml, so every page of a demo site shows
something meaningful. People are only ever labelled ("J", "R", "W"); nothing here is
about a real person.

`generate_reflections` makes any number of plausible but formulaic reflections with bulk
inserts, for load tests and the benchmark (bench/practice_benchmark.py).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from framework.models import Context, Factor, FrameworkVersion, Mechanism, OutcomeDomain
from framework.selectors import current_version
from reflections import practice_tally
from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
from reflections.services import reflection_refresh_search_text

# Short names for keys, so the scripts below read as prose rather than identifiers.
ACC, PP, EMP, AV, REC = (
    "accepting",
    "personalised_practice",
    "empowering",
    "available",
    "reciprocal",
)
ACCEPTABLE = "i_am_acceptable_or_worthwhile"
PROGRESS = "i_can_be_effective"
OTHERS_SAFE = "others_safe_trusted_like_me"
OTHERS_RECOVER = "others_can_be_effective"
BELONG = "relationships_safe_worthwhile_belong"
MENTALISE = "mentalisation"
SELF_ACCEPTANCE, CONFIDENCE, HOPE = "self_acceptance", "confidence", "hopefulness"
EXPRESSION, RELATIONSHIPS, SKILLS = "self_expression", "relationships", "knowledge_and_skills"


@dataclass(frozen=True)
class Rating:
    presence: int
    factors: tuple[str, ...] = ()
    evidence: str = ""


@dataclass(frozen=True)
class Link:
    context: str
    mechanism: str
    domain: str
    confidence: int
    description: str


@dataclass(frozen=True)
class Step:
    text: str
    due_in_days: int | None = None
    done: bool = False


@dataclass(frozen=True)
class Session:
    """One scripted reflection; `days_ago` counts back from the day the seed runs."""

    days_ago: int
    label: str
    setting: str
    stage: str
    minutes: int
    happened: str
    felt: str = ""
    well: str = ""
    hard: str = ""
    unintended: str = ""
    learning: str = ""
    supervision: bool = False
    draft: bool = False
    ratings: dict[str, Rating] = field(default_factory=dict)
    chains: tuple[Link, ...] = ()
    observations: dict[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()


# --------------------------------------------------------------------------------------------
# The sessions, from demo/data/reflections.yaml
# --------------------------------------------------------------------------------------------

DATA_FILE = Path(__file__).resolve().parent / "data" / "reflections.yaml"


def _session(data: dict[str, Any]) -> Session:
    """One session of the data file as a Session; a missing part takes its default."""
    return Session(
        **{key: value for key, value in data.items() if key in _PLAIN_FIELDS},
        ratings={
            context: Rating(
                presence=rating["presence"],
                factors=tuple(rating.get("factors", ())),
                evidence=rating.get("evidence", ""),
            )
            for context, rating in (data.get("ratings") or {}).items()
        },
        chains=tuple(Link(**chain) for chain in data.get("chains", ())),
        observations=dict(data.get("observations") or {}),
        steps=tuple(Step(**step) for step in data.get("steps", ())),
    )


_PLAIN_FIELDS = {
    "days_ago",
    "label",
    "setting",
    "stage",
    "minutes",
    "happened",
    "felt",
    "well",
    "hard",
    "unintended",
    "learning",
    "supervision",
    "draft",
}


def load_sessions(path: Path = DATA_FILE) -> dict[str, tuple[Session, ...]]:
    """Each demo worker's sessions, by user name, as the data file lists them."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {
        username: tuple(_session(session) for session in sessions)
        for username, sessions in data.items()
    }


_SESSIONS = load_sessions()
# demo-worker: six months with six people; demo-worker-2 and other-worker: a few each.
DEMO_WORKER_SESSIONS = _SESSIONS["demo-worker"]
SECOND_WORKER_SESSIONS = _SESSIONS["demo-worker-2"]
OTHER_WORKER_SESSIONS = _SESSIONS["other-worker"]

# --------------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    version: FrameworkVersion
    contexts: dict[str, Context]
    factors: dict[tuple[str, str], Factor]
    mechanisms: dict[str, Mechanism]
    domains: dict[str, OutcomeDomain]


def _parts(version: FrameworkVersion) -> _Parts:
    contexts = {context.key: context for context in version.contexts.all()}
    factors = {
        (factor.context.key, factor.key): factor
        for factor in Factor.objects.filter(context__version=version).select_related("context")
    }
    return _Parts(
        version=version,
        contexts=contexts,
        factors=factors,
        mechanisms={mechanism.key: mechanism for mechanism in version.mechanisms.all()},
        domains={domain.key: domain for domain in version.outcome_domains.all()},
    )


def _organisation_of(user: User) -> Organisation:
    membership = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("joined_at", "id")
        .first()
    )
    if membership is None:
        raise ValueError(f"{user.username} has no active membership to write reflections in.")
    return membership.organisation


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _write(
    *, session: Session, author: User, organisation: Organisation, parts: _Parts, today: date
) -> Reflection:
    day = today - timedelta(days=session.days_ago)
    reflection = Reflection.objects.create(
        author=author,
        organisation=organisation,
        framework_version=parts.version,
        status=Reflection.Status.DRAFT if session.draft else Reflection.Status.SUBMITTED,
        session_date=day,
        duration_minutes=session.minutes,
        setting=session.setting,
        contact_stage=session.stage,
        person_label=session.label,
        what_happened=session.happened,
        how_i_felt=session.felt,
        went_well=session.well,
        was_hard=session.hard,
        unintended_effects=session.unintended,
        learning=session.learning,
        bring_to_supervision=session.supervision,
        submitted_at=None if session.draft else _at(day, 17),
    )
    for key, context in parts.contexts.items():
        rating = session.ratings.get(key, Rating(0))
        row = ContextRating.objects.create(
            reflection=reflection,
            context=context,
            presence=rating.presence,
            evidence=rating.evidence,
        )
        row.factors.set([parts.factors[(key, factor)] for factor in rating.factors])
    for order, link in enumerate(session.chains, start=1):
        Chain.objects.create(
            reflection=reflection,
            order=order,
            context=parts.contexts[link.context],
            mechanism=parts.mechanisms[link.mechanism],
            outcome_domain=parts.domains[link.domain],
            description=link.description,
            confidence=link.confidence,
        )
    for key, text in session.observations.items():
        OutcomeObservation.objects.create(
            reflection=reflection, domain=parts.domains[key], observation=text
        )
    for order, step in enumerate(session.steps, start=1):
        Action.objects.create(
            reflection=reflection,
            order=order,
            text=step.text,
            due_on=day + timedelta(days=step.due_in_days) if step.due_in_days else None,
            done_at=_at(day + timedelta(days=step.due_in_days or 1), 12) if step.done else None,
        )
    reflection_refresh_search_text(reflections=Reflection.objects.filter(pk=reflection.pk))
    return reflection


def _seed_author(*, author: User, sessions: Sequence[Session], parts: _Parts, today: date) -> int:
    """Write the sessions `author` does not have yet; the opening text identifies each one."""
    existing = set(Reflection.objects.filter(author=author).values_list("what_happened", flat=True))
    organisation = _organisation_of(author)
    written = [
        _write(session=session, author=author, organisation=organisation, parts=parts, today=today)
        for session in sessions
        if session.happened not in existing
    ]
    # The rows were written directly, so My practice's tallies are refreshed here.
    practice_tally.refresh_reflections(written)
    return len(written)


@transaction.atomic
def seed_reflections(
    *, demo_worker: User, demo_worker_2: User, other_worker: User, today: date
) -> int:
    """Give the demo workers their reflections, dated back from `today`; return how many were new.

    demo-worker gets about six months with six people (two recent drafts among them);
    demo-worker-2 and other-worker a few each. Each author's reflections are written in the
    organisation of their first active membership, against the current framework version.
    Idempotent: a reflection whose opening text the author already has is not written again,
    so running it twice, even on different days, adds nothing.
    """
    version = current_version()
    if version is None:
        raise ValueError(
            "Load the framework (manage.py load_framework) before seeding reflections."
        )
    parts = _parts(version)
    return sum(
        _seed_author(author=author, sessions=sessions, parts=parts, today=today)
        for author, sessions in (
            (demo_worker, DEMO_WORKER_SESSIONS),
            (demo_worker_2, SECOND_WORKER_SESSIONS),
            (other_worker, OTHER_WORKER_SESSIONS),
        )
    )


def demo_texts() -> list[str]:
    """Every piece of free text the demo writes, for the privacy check in the tests."""
    texts: list[str] = []
    for session in (*DEMO_WORKER_SESSIONS, *SECOND_WORKER_SESSIONS, *OTHER_WORKER_SESSIONS):
        texts += [
            session.label,
            session.happened,
            session.felt,
            session.well,
            session.hard,
            session.unintended,
            session.learning,
        ]
        texts += [rating.evidence for rating in session.ratings.values()]
        texts += [link.description for link in session.chains]
        texts += list(session.observations.values())
        texts += [step.text for step in session.steps]
    return [text for text in texts if text]


# --------------------------------------------------------------------------------------------
# Synthetic reflections in bulk, for load tests and the benchmark
# --------------------------------------------------------------------------------------------

_SYNTHETIC_TEXT = (
    "We met for a coffee and talked about the week.",
    "A walk to the park; the person chose the route and talked about family.",
    "Visited on the ward; quiet session, mostly listening.",
    "Went to the community garden together and planted seeds.",
    "Talked about going back to college and what might help.",
    "A hard session: boundaries around contact between sessions came up.",
    "Shared a little of my own recovery when asked, then listened.",
    "Planned the first steps back into a hobby they used to love.",
)
# Mechanisms most often recorded from each context, roughly as in the evidence.
_LIKELY_MECHANISMS = {
    ACC: (ACCEPTABLE, OTHERS_SAFE, BELONG),
    PP: (ACCEPTABLE, PROGRESS, BELONG),
    EMP: (PROGRESS, PROGRESS, MENTALISE, OTHERS_RECOVER),
    AV: (OTHERS_SAFE, ACCEPTABLE, BELONG),
    REC: (OTHERS_RECOVER, ACCEPTABLE, BELONG),
}
_LIKELY_DOMAINS = {
    ACCEPTABLE: (SELF_ACCEPTANCE, EXPRESSION),
    PROGRESS: (CONFIDENCE, SKILLS),
    OTHERS_SAFE: (EXPRESSION, RELATIONSHIPS),
    OTHERS_RECOVER: (HOPE, HOPE, CONFIDENCE),
    BELONG: (RELATIONSHIPS, SELF_ACCEPTANCE),
    MENTALISE: (EXPRESSION, CONFIDENCE),
}


@transaction.atomic
def generate_reflections(
    *,
    author: User,
    organisation: Organisation,
    version: FrameworkVersion,
    count: int,
    today: date,
    days: int = 365,
    seed: int = 0,
    status: str = Reflection.Status.SUBMITTED,
) -> list[Reflection]:
    """Create `count` plausible reflections with ratings, factors, chains and observations.

    Spread over the `days` before `today` and reproducible for a given `seed`. Written with
    bulk inserts (batched by the database's parameter limit), never a query per reflection,
    so tests and the benchmark can create 1,000 in a second or two.
    """
    # Not for security: a seeded generator makes the synthetic data reproducible.
    rng = random.Random(seed)  # noqa: S311
    parts = _parts(version)
    context_keys = list(parts.contexts)
    reflections = Reflection.objects.bulk_create(
        [
            Reflection(
                author=author,
                organisation=organisation,
                framework_version=version,
                status=status,
                session_date=today - timedelta(days=rng.randrange(days)),
                duration_minutes=rng.choice((30, 45, 60, 90)),
                setting=rng.choice(Reflection.Setting.values),
                contact_stage=rng.choice(Reflection.ContactStage.values),
                person_label=rng.choice(("J", "R", "K", "M", "T", "W")),
                what_happened=rng.choice(_SYNTHETIC_TEXT),
                learning=rng.choice(("", "Go at their pace.", "Be clear about boundaries early.")),
                bring_to_supervision=rng.random() < 0.15,
                submitted_at=timezone.now() if status == Reflection.Status.SUBMITTED else None,
            )
            for _index in range(count)
        ],
        batch_size=500,
    )
    ratings: list[ContextRating] = []
    presences: list[dict[str, int]] = []
    for reflection in reflections:
        presence = {key: rng.choices((0, 1, 2, 3), weights=(3, 3, 3, 2))[0] for key in context_keys}
        presences.append(presence)
        ratings += [
            ContextRating(
                reflection=reflection,
                context=parts.contexts[key],
                presence=value,
                evidence="Listened and reflected back." if value >= 2 else "",
            )
            for key, value in presence.items()
        ]
    ratings = ContextRating.objects.bulk_create(ratings, batch_size=1000)
    factors_by_context: dict[str, list[Factor]] = {}
    for (context_key, _factor_key), factor in parts.factors.items():
        factors_by_context.setdefault(context_key, []).append(factor)
    through = ContextRating.factors.through
    through.objects.bulk_create(
        [
            through(
                contextrating_id=rating.pk,
                factor_id=rng.choice(factors_by_context[rating.context.key]).pk,
            )
            for rating in ratings
            if rating.presence is not None and rating.presence >= 2
        ],
        batch_size=1000,
    )
    chains: list[Chain] = []
    observations: list[OutcomeObservation] = []
    for reflection, presence in zip(reflections, presences, strict=True):
        present = [key for key, value in presence.items() if value >= 2] or context_keys[:1]
        for order in range(1, rng.choice((0, 1, 1, 2, 2, 3)) + 1):
            context_key = rng.choice(present)
            mechanism_key = rng.choice(_LIKELY_MECHANISMS[context_key])
            domain_key = rng.choice(_LIKELY_DOMAINS[mechanism_key])
            chains.append(
                Chain(
                    reflection=reflection,
                    order=order,
                    context=parts.contexts[context_key],
                    mechanism=parts.mechanisms[mechanism_key],
                    outcome_domain=parts.domains[domain_key],
                    confidence=rng.choice((1, 2, 2, 3)),
                )
            )
        for domain_key in rng.sample(list(parts.domains), rng.choice((0, 1, 1, 2))):
            observations.append(
                OutcomeObservation(
                    reflection=reflection, domain=parts.domains[domain_key], observation="Noticed."
                )
            )
    Chain.objects.bulk_create(chains, batch_size=1000)
    OutcomeObservation.objects.bulk_create(observations, batch_size=1000)
    practice_tally.refresh_reflections(reflections)
    if reflections:
        # One UPDATE by id range rather than a list of 20,000 ids; refreshing is idempotent,
        # so another of the author's reflections inside the range is merely refreshed too.
        ids = [reflection.pk for reflection in reflections]
        reflection_refresh_search_text(
            reflections=Reflection.objects.filter(author=author, pk__range=(min(ids), max(ids)))
        )
    return reflections
