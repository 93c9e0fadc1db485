"""Writes to reflections: start, save a step, submit, amend, delete.

Every save names the revision the worker's page was loaded at. The save goes through only if
that is still the stored revision (a compare-and-swap in one UPDATE, safe on PostgreSQL and
SQLite alike), and bumps it; otherwise another tab or device saved first, and the caller gets
a `ConflictError` carrying the server's copy so nothing is lost.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Aggregate, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEvent, Membership, Organisation, User
from framework.models import Context, Factor, FrameworkVersion, Mechanism, OutcomeDomain
from reflections import practice_tally, privacy
from reflections.flow_selectors import reflection_content, snapshot_content
from reflections.models import (
    EVIDENCE_TEXT,
    Action,
    Chain,
    ContextRating,
    OutcomeObservation,
    Reflection,
    ReflectionRevision,
)
from reflections.reading import Reader, read_reflection
from reflections.steps import STEP_FIELDS, Step


class _JoinedLines(Aggregate):
    """The non-empty texts of a group, one per line (string_agg or group_concat)."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression: str) -> None:
        super().__init__(expression, Value("\n"))

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


# Where a reflection's evidence lines live: the search document includes them.
_EVIDENCE_LINES = (
    (ContextRating, "evidence"),
    (Chain, "description"),
    (OutcomeObservation, "observation"),
)


def reflection_refresh_search_text(*, reflections: QuerySet[Reflection]) -> int:
    """Copy the evidence lines of `reflections` into their search document; one UPDATE.

    Every write of context ratings, chains or outcome observations calls this afterwards (the
    steps and the quick page, discarding an amendment, the data-rights import, the demo), so
    a search finds the words a worker wrote in their evidence: the stored search vector is a
    generated column and can read only the reflection's own row. Returns the rows updated.
    """
    lines = [
        Coalesce(
            Subquery(
                model.objects.filter(reflection=OuterRef("pk"))
                .exclude(**{field: ""})
                .order_by()
                .values("reflection")
                .annotate(text=_JoinedLines(field))
                .values("text")
            ),
            Value(""),
            output_field=TextField(),
        )
        for model, field in _EVIDENCE_LINES
    ]
    joined = Concat(
        lines[0], Value("\n"), lines[1], Value("\n"), lines[2], output_field=TextField()
    )
    return reflections.order_by().update(evidence_text=joined)


class ConflictError(Exception):
    """The reflection was saved elsewhere since the caller's page loaded."""

    def __init__(self, *, server: Reflection) -> None:
        super().__init__(f"Reflection {server.pk} is at revision {server.revision}.")
        self.server = server


class NotEditableError(Exception):
    """The reflection was submitted (and not reopened) or deleted; it cannot be saved."""


class PrivacyCheckError(Exception):
    """The text holds what looks like identifying details the author has not confirmed."""

    def __init__(self, *, matches: list[privacy.Match]) -> None:
        super().__init__(f"{len(matches)} possible identifying detail(s).")
        self.matches = matches


@dataclass(frozen=True)
class RatingInput:
    context: Context
    presence: int | None = None
    factors: Sequence[Factor] = ()
    evidence: str = ""

    @property
    def is_empty(self) -> bool:
        return self.presence is None and not self.factors and not self.evidence


@dataclass(frozen=True)
class ChainInput:
    context: Context
    mechanism: Mechanism
    outcome_domain: OutcomeDomain
    description: str = ""
    confidence: int = Chain.Confidence.FAIRLY_SURE
    id: int | None = None
    # The chain's place among the rows on the page, when it differs from its place among the
    # finished chains (an unfinished row before it): names the input its new id goes to.
    row: int | None = None


@dataclass(frozen=True)
class ObservationInput:
    domain: OutcomeDomain
    observation: str = ""


@dataclass(frozen=True)
class ActionInput:
    text: str
    due_on: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class StepValues:
    """What one step's form holds once validated: reflection fields and, per step, rows."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    ratings: Sequence[RatingInput] | None = None
    chains: Sequence[ChainInput] | None = None
    observations: Sequence[ObservationInput] | None = None
    actions: Sequence[ActionInput] | None = None
    # Chains begun but not finished, as {"row", "context", "mechanism", "outcome_domain",
    # "description", "confidence"} with ids or None; saved with the chains step.
    incomplete_chains: Sequence[Mapping[str, Any]] | None = None
    # Answers that were not valid, as typed ({field name: text}), kept when the worker
    # finishes later; a field saved valid (in `fields`) drops its kept text.
    unsent: Mapping[str, str] | None = None


# A kept answer is what fits in one of the step's fields; more is cut, never refused.
UNSENT_TEXT = 4000


@dataclass(frozen=True)
class SaveResult:
    reflection: Reflection
    # HTML input name -> new row id, so a page that stays open can name the rows it created;
    # None clears the id of a row that is no longer a saved chain (it became unfinished).
    row_ids: dict[str, int | None]


@transaction.atomic
def reflection_start(*, by: User, organisation: Organisation) -> Reflection:
    """Start a draft reflection in `organisation` against the CURRENT framework version.

    Only a peer worker with an active membership there may start one; the session date
    defaults to today.
    """
    if not Membership.objects.filter(
        user=by, organisation=organisation, is_active=True, is_peer_worker=True
    ).exists():
        raise ValidationError(_("Only peer workers can write reflections here."))
    version = FrameworkVersion.objects.filter(is_current=True).first()
    if version is None:
        raise ValidationError(_("The APPEAR framework has not been loaded yet."))
    reflection = Reflection(
        author=by,
        organisation=organisation,
        framework_version=version,
        session_date=timezone.localdate(),
    )
    reflection.full_clean()
    reflection.save()
    return reflection


def _claim_revision(reflection: Reflection, revision: int) -> None:
    """Bump the stored revision if it still is `revision`; raise if it is not.

    One UPDATE with the expected revision in its WHERE clause: of two tabs saving the same
    revision at once exactly one wins, on any database.
    """
    now = timezone.now()
    claimed = Reflection.objects.filter(pk=reflection.pk, revision=revision).update(
        revision=F("revision") + 1, updated_at=now
    )
    if claimed:
        reflection.revision = revision + 1
        reflection.updated_at = now
        return
    server = Reflection.objects.select_related("framework_version").filter(pk=reflection.pk).first()
    if server is None or not server.is_editable:
        raise NotEditableError
    raise ConflictError(server=server)


def _check_version(reflection: Reflection, *objects: Context | Mechanism | OutcomeDomain) -> None:
    for obj in objects:
        if obj.version_id != reflection.framework_version_id:
            raise ValidationError(
                _("%(item)s is not part of this reflection's framework version.") % {"item": obj}
            )


def _save_ratings(reflection: Reflection, ratings: Sequence[RatingInput]) -> dict[str, int | None]:
    """Ratings by context: a set number of queries however many change, none per row.

    One read of the saved ratings with their factors, then at most one INSERT, one UPDATE
    and one DELETE each for ratings and for their factors. Rows are checked in Python first,
    so nothing is written when one is wrong, and without a query each: the presence is one
    of its choices (all the database's check constraint asks), and one rating per context is
    the shape of the input and of the rows read (the unique constraint stays as a backstop).
    """
    saved: dict[int, ContextRating] = {}
    saved_factors: dict[int, set[int]] = defaultdict(set)
    # order_by(): the model's ordering would join the contexts for nothing here.
    rows = (
        ContextRating.objects.filter(reflection=reflection)
        .order_by()
        .values_list("pk", "context_id", "presence", "evidence", "factors")
    )
    for pk, context_id, presence, evidence, factor_id in rows:
        saved.setdefault(
            context_id,
            ContextRating(
                pk=pk,
                reflection=reflection,
                context_id=context_id,
                presence=presence,
                evidence=evidence,
            ),
        )
        if factor_id is not None:
            saved_factors[pk].add(factor_id)

    gone: list[int] = []
    created: list[tuple[ContextRating, list[int]]] = []
    changed: list[ContextRating] = []
    wanted_factors: dict[int, list[int]] = {}
    for item in ratings:
        _check_version(reflection, item.context)
        if any(factor.context_id != item.context.pk for factor in item.factors):
            raise ValidationError(_("A factor does not belong to its context."))
        rating = saved.get(item.context.pk)
        if item.is_empty:
            if rating is not None:
                gone.append(rating.pk)
            continue
        # In the order given, as the factors' rows were always added.
        factors = list(dict.fromkeys(factor.pk for factor in item.factors))
        if rating is None:
            rating = ContextRating(reflection=reflection, context=item.context)
            created.append((rating, factors))
        elif (rating.presence, rating.evidence) != (item.presence, item.evidence):
            changed.append(rating)
        rating.presence = item.presence
        rating.evidence = item.evidence
        rating.full_clean(
            exclude=["reflection", "context"], validate_unique=False, validate_constraints=False
        )
        if rating.pk is not None:
            wanted_factors[rating.pk] = factors

    if gone:
        ContextRating.objects.filter(pk__in=gone).delete()
    if created:
        ContextRating.objects.bulk_create([rating for rating, _factors in created])
        wanted_factors |= {rating.pk: factors for rating, factors in created}
    if changed:
        ContextRating.objects.bulk_update(changed, ["presence", "evidence"])
    _save_rating_factors(saved_factors, wanted_factors)
    return {}


def _save_rating_factors(saved: Mapping[int, set[int]], wanted: Mapping[int, list[int]]) -> None:
    """Make each rating's factors the wanted ones: one DELETE and one INSERT at most."""
    through = ContextRating.factors.through
    unwanted: list[Q] = []
    added: list[Any] = []  # rows of the auto-created through model
    for rating_id, factors in wanted.items():
        before = saved.get(rating_id, set())
        if before - set(factors):
            unwanted.append(Q(contextrating_id=rating_id, factor_id__in=before - set(factors)))
        added.extend(
            through(contextrating_id=rating_id, factor_id=factor_id)
            for factor_id in factors
            if factor_id not in before
        )
    if unwanted:
        through.objects.filter(reduce(operator.or_, unwanted)).delete()
    if added:
        through.objects.bulk_create(added)


def _sync_rows(
    existing: Iterable[Any], wanted: Sequence[ChainInput] | Sequence[ActionInput]
) -> tuple[dict[int, Any], set[int]]:
    """Existing rows by id, and the ids no longer wanted; refuse ids that are not ours."""
    by_id = {row.pk: row for row in existing}
    named = [item.id for item in wanted if item.id is not None]
    unknown = set(named) - set(by_id)
    if unknown or len(named) != len(set(named)):
        raise ValidationError(_("A row does not belong to this reflection."))
    return by_id, set(by_id) - set(named)


def _save_chains(reflection: Reflection, chains: Sequence[ChainInput]) -> dict[str, int | None]:
    by_id, gone = _sync_rows(Chain.objects.filter(reflection=reflection), chains)
    Chain.objects.filter(reflection=reflection, pk__in=gone).delete()
    row_ids: dict[str, int | None] = {}
    for order, item in enumerate(chains, start=1):
        _check_version(reflection, item.context, item.mechanism, item.outcome_domain)
        chain = by_id.get(item.id) if item.id is not None else None
        if chain is None:
            chain = Chain(reflection=reflection)
        chain.order = order
        chain.context = item.context
        chain.mechanism = item.mechanism
        chain.outcome_domain = item.outcome_domain
        chain.description = item.description
        chain.confidence = item.confidence
        chain.full_clean(exclude=["reflection", "context", "mechanism", "outcome_domain"])
        chain.save()
        row = order - 1 if item.row is None else item.row
        row_ids[f"chains-{row}-id"] = chain.pk
    return row_ids


_INCOMPLETE_KEYS = ("context", "mechanism", "outcome_domain", "description", "confidence")


def _incomplete_chains(
    reflection: Reflection, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int | None]]:
    """The unfinished chains to keep, and their rows' ids cleared (they are no Chain rows)."""
    kept = [{key: row.get(key) for key in _INCOMPLETE_KEYS} for row in rows]
    for item in kept:
        if len(str(item.get("description") or "")) > EVIDENCE_TEXT:
            raise ValidationError(_("A chain's words are too long."))
    cleared: dict[str, int | None] = {
        f"chains-{row['row']}-id": None for row in rows if row.get("row") is not None
    }
    return kept, cleared


def _save_observations(
    reflection: Reflection, observations: Sequence[ObservationInput]
) -> dict[str, int | None]:
    existing = {
        row.domain_id: row for row in OutcomeObservation.objects.filter(reflection=reflection)
    }
    wanted = {item.domain.pk: item for item in observations}
    for domain_id, row in existing.items():
        if domain_id not in wanted:
            row.delete()
    for item in observations:
        _check_version(reflection, item.domain)
        row = existing.get(item.domain.pk) or OutcomeObservation(
            reflection=reflection, domain=item.domain
        )
        row.observation = item.observation
        row.full_clean(exclude=["reflection", "domain"])
        row.save()
    return {}


def _save_actions(reflection: Reflection, actions: Sequence[ActionInput]) -> dict[str, int | None]:
    by_id, gone = _sync_rows(Action.objects.filter(reflection=reflection), actions)
    Action.objects.filter(reflection=reflection, pk__in=gone).delete()
    row_ids: dict[str, int | None] = {}
    for order, item in enumerate(actions, start=1):
        action = by_id.get(item.id) if item.id is not None else None
        if action is None:
            action = Action(reflection=reflection, author_id=reflection.author_id)
        action.order = order
        action.text = item.text
        action.due_on = item.due_on
        action.full_clean(exclude=["reflection"])
        action.save()
        row_ids[f"actions-{order - 1}-id"] = action.pk
    return row_ids


@transaction.atomic
def reflection_save_step(
    *, reflection: Reflection, by: User, step: Step, values: StepValues, revision: int
) -> SaveResult:
    """Save one step's answers if `revision` is still the stored one, and bump it.

    Writes only the fields that belong to `step` and that step's rows: context ratings by
    context, chains and actions by id (ids of another reflection are refused; an action keeps
    its "done" time), outcome observations by domain. Raises ConflictError (with the server's
    copy) if another save came first, NotEditableError if the reflection was submitted or
    deleted meanwhile, ValidationError for values that break a rule (nothing is saved then).
    """
    return _save_fields_and_rows(
        reflection=reflection,
        by=by,
        allowed=STEP_FIELDS[step],
        where=f"the {step} step",
        values=values,
        revision=revision,
    )


# The reflection fields the quick reflection writes, on one page; its rows are the contexts
# step's ratings and the chains step's chains, so both paths make the same reflection.
QUICK_FIELDS = ("session_date", "what_happened", "learning")


@transaction.atomic
def reflection_save_quick(
    *, reflection: Reflection, by: User, values: StepValues, revision: int
) -> SaveResult:
    """Save the quick reflection's page: date, what happened, learning, ratings and chains.

    The same rules as saving a step (`reflection_save_step`), in one revision.
    """
    return _save_fields_and_rows(
        reflection=reflection,
        by=by,
        allowed=QUICK_FIELDS,
        where="the quick reflection",
        values=values,
        revision=revision,
    )


def _save_fields_and_rows(
    *,
    reflection: Reflection,
    by: User,
    allowed: Sequence[str],
    where: str,
    values: StepValues,
    revision: int,
) -> SaveResult:
    if reflection.author_id != by.pk:
        raise ValidationError(_("Only the author can change a reflection."))
    if not reflection.is_editable:
        raise NotEditableError
    stray = (set(values.fields) | set(values.unsent or {})) - set(allowed)
    if stray:
        raise ValueError(f"Fields {sorted(stray)} do not belong to {where}.")
    saved_on = reflection.session_date
    for name, value in values.fields.items():
        setattr(reflection, name, value)
    if "session_date" in values.fields and reflection.session_date > timezone.localdate():
        raise ValidationError({"session_date": _("The session date cannot be in the future.")})
    # The author, organisation and version do not change here; skipping them spares a query each.
    reflection.full_clean(exclude=["author", "organisation", "framework_version"])
    try:
        result = _save_step(reflection, values, revision)
    except BaseException:
        # The transaction rolls back; the caller's object must not claim a revision it lost.
        reflection.revision = revision
        raise
    if not reflection.is_draft:
        # A reopened reflection stays submitted and counted as it stands (see practice_tally).
        practice_tally.refresh(
            author=reflection.author_id, months=[saved_on, reflection.session_date]
        )
    return result


def _save_step(reflection: Reflection, values: StepValues, revision: int) -> SaveResult:
    _claim_revision(reflection, revision)
    row_ids: dict[str, int | None] = {}
    extra: list[str] = []
    if values.incomplete_chains is not None:
        reflection.incomplete_chains, row_ids = _incomplete_chains(
            reflection, values.incomplete_chains
        )
        extra.append("incomplete_chains")
    unsent = values.unsent or {}
    if unsent or set(values.fields) & set(reflection.unsent_answers):
        kept = {
            name: text
            for name, text in reflection.unsent_answers.items()
            if name not in values.fields and name not in unsent
        }
        kept |= {name: str(text)[:UNSENT_TEXT] for name, text in unsent.items()}
        reflection.unsent_answers = kept
        extra.append("unsent_answers")
    if values.fields or extra:
        # Claiming the revision already stamped `updated_at`; a step of rows alone (the
        # contexts) has no field left to write.
        reflection.save(update_fields=[*values.fields, *extra, "updated_at"])
    if values.ratings is not None:
        row_ids |= _save_ratings(reflection, values.ratings)
    if values.chains is not None:
        row_ids |= _save_chains(reflection, values.chains)
    if values.observations is not None:
        row_ids |= _save_observations(reflection, values.observations)
    if values.actions is not None:
        row_ids |= _save_actions(reflection, values.actions)
    if any(rows is not None for rows in (values.ratings, values.chains, values.observations)):
        reflection_refresh_search_text(reflections=Reflection.objects.filter(pk=reflection.pk))
    return SaveResult(reflection=reflection, row_ids=row_ids)


def reflection_privacy_matches(*, reflection: Reflection) -> list[privacy.Match]:
    """What the privacy check finds in the reflection that its author has not yet confirmed."""
    reading = read_reflection(reflection=reflection, reader=Reader.AUTHOR, history=False)
    texts = privacy.reflection_texts(reading.content)
    matches = privacy.scan(texts, today=timezone.localdate())
    return _outstanding(reflection, matches, reflection.privacy_confirmed)


def privacy_matches_in_text(
    *, reflection: Reflection, field: str, text: str
) -> list[privacy.Match]:
    """What the privacy check finds in one answer as it is being typed, not yet confirmed.

    The same check as before submitting, on the server; nothing is saved.
    """
    source = privacy.Text(field=field, label="", text=text[: 10 * 1000])
    matches = privacy.scan_text(source, today=timezone.localdate())
    return _outstanding(reflection, matches, reflection.privacy_confirmed)


def _outstanding(
    reflection: Reflection, matches: list[privacy.Match], confirmed: Iterable[str]
) -> list[privacy.Match]:
    """The matches not confirmed in this reflection, nor (a first name) in another of the
    author's: a word confirmed not to be a name ("Will", a pet's name) is not raised again.

    One query, and only when a first name is still outstanding.
    """
    outstanding = privacy.unconfirmed(matches, confirmed)
    if not any(match.kind is privacy.Kind.GIVEN_NAME for match in outstanding):
        return outstanding
    elsewhere: set[str] = set()
    rows = (
        Reflection.objects.filter(author_id=reflection.author_id)
        .exclude(pk=reflection.pk)
        .exclude(privacy_confirmed=[])
        .values_list("privacy_confirmed", flat=True)
    )
    for keys in rows:
        elsewhere.update(keys)
    return [
        match
        for match in outstanding
        if not (match.kind is privacy.Kind.GIVEN_NAME and match.key in elsewhere)
    ]


EMPTY_REFLECTION = _(
    "There is nothing to submit yet. Write what happened, rate at least one context, or add "
    "one chain, then submit."
)
UNFINISHED_CHAINS = _(
    "A chain is not finished. Choose its context, what seemed to shift and the outcome, or "
    "remove it, then submit."
)


UNSENT_ANSWERS = _(
    "An answer kept from last time is not valid yet. Correct it (it is marked), then submit."
)


def _check_submittable(reflection: Reflection, snapshot: Mapping[str, Any]) -> None:
    """Refuse an empty reflection (it would count on My practice) and unfinished chains."""
    rated = any(item["presence"] is not None for item in snapshot["context_ratings"])
    if not (str(snapshot["what_happened"]).strip() or rated or snapshot["chains"]):
        raise ValidationError(EMPTY_REFLECTION, code="empty")
    if reflection.incomplete_chains:
        raise ValidationError(UNFINISHED_CHAINS, code="unfinished_chains")
    if reflection.unsent_answers:
        raise ValidationError(UNSENT_ANSWERS, code="unsent_answers")


@transaction.atomic
def reflection_submit(
    *,
    reflection: Reflection,
    by: User,
    revision: int | None = None,
    confirmed: Iterable[str] = (),
) -> Reflection:
    """Submit a draft, or a reopened reflection's amendment, after the privacy check.

    `confirmed` holds fingerprints of matches the author has just confirmed are not
    identifying; they are kept so the same text is not raised again. Any other match raises
    PrivacyCheckError and nothing changes. An empty reflection (nothing written, rated or
    chained) or one with an unfinished chain raises ValidationError. An amendment stores the content from before it as
    a ReflectionRevision, unless nothing was changed. With `revision`, a reflection saved
    elsewhere since the author's check page loaded raises ConflictError.
    """
    if reflection.author_id != by.pk:
        raise ValidationError(_("Only the author can submit a reflection."))
    if not reflection.is_editable:
        raise NotEditableError
    snapshot = reflection_content(reflection=reflection)
    _check_submittable(reflection, snapshot)
    matches = privacy.scan(privacy.reflection_texts(snapshot), today=timezone.localdate())
    current_keys = {match.key for match in matches}
    newly_confirmed = current_keys & set(confirmed)
    remembered = [*reflection.privacy_confirmed]
    remembered += sorted(newly_confirmed - set(remembered))
    outstanding = _outstanding(reflection, matches, remembered)
    if outstanding:
        raise PrivacyCheckError(matches=outstanding)

    _claim_revision(reflection, reflection.revision if revision is None else revision)
    now = timezone.now()
    if reflection.is_amending:
        base = reflection.amendment_base or {}
        if snapshot_content(base) != snapshot_content(snapshot):
            ReflectionRevision.objects.create(
                reflection=reflection, revision=int(base["revision"]), snapshot=base
            )
            reflection.amended_at = now
        reflection.amendment_base = None
    else:
        reflection.status = Reflection.Status.SUBMITTED
        reflection.submitted_at = now
    reflection.privacy_confirmed = remembered
    reflection.full_clean(exclude=["author", "organisation", "framework_version"])
    reflection.save(
        update_fields=[
            "status",
            "submitted_at",
            "amended_at",
            "amendment_base",
            "privacy_confirmed",
            "updated_at",
        ]
    )
    practice_tally.refresh(author=reflection.author_id, months=[reflection.session_date])
    return reflection


@transaction.atomic
def reflection_amend(*, reflection: Reflection, by: User) -> Reflection:
    """Reopen a submitted reflection so its author can change it.

    The content as it stands is kept aside; submitting the amendment files it in the history.
    The reflection stays submitted meanwhile, so it stays in the worker's lists and map.
    """
    if reflection.author_id != by.pk:
        raise ValidationError(_("Only the author can amend a reflection."))
    if reflection.status != Reflection.Status.SUBMITTED or reflection.is_amending:
        raise NotEditableError
    base = reflection_content(reflection=reflection)
    _claim_revision(reflection, reflection.revision)
    reflection.amendment_base = base
    reflection.save(update_fields=["amendment_base", "updated_at"])
    return reflection


# The reflection's own fields a snapshot holds as they are (dates are handled apart).
_RESTORED_FIELDS = (
    "duration_minutes",
    "setting",
    "contact_stage",
    "person_label",
    "what_happened",
    "how_i_felt",
    "went_well",
    "was_hard",
    "unintended_effects",
    "learning",
    "bring_to_supervision",
)


def _restore_rows(reflection: Reflection, base: Mapping[str, Any]) -> None:
    reflection.context_ratings.all().delete()
    reflection.chains.all().delete()
    reflection.outcome_observations.all().delete()
    reflection.actions.all().delete()
    for item in base.get("context_ratings", []):
        rating = ContextRating.objects.create(
            reflection=reflection,
            context_id=item["context_id"],
            presence=item["presence"],
            evidence=item["evidence"],
        )
        rating.factors.set([factor["id"] for factor in item["factors"]])
    Chain.objects.bulk_create(
        Chain(
            reflection=reflection,
            order=order,
            context_id=item["context_id"],
            mechanism_id=item["mechanism_id"],
            outcome_domain_id=item["outcome_domain_id"],
            description=item["description"],
            confidence=item["confidence"],
        )
        for order, item in enumerate(base.get("chains", []), start=1)
    )
    OutcomeObservation.objects.bulk_create(
        OutcomeObservation(
            reflection=reflection, domain_id=item["domain_id"], observation=item["observation"]
        )
        for item in base.get("outcome_observations", [])
    )
    Action.objects.bulk_create(
        Action(
            reflection=reflection,
            author_id=reflection.author_id,
            order=order,
            text=item["text"],
            due_on=date.fromisoformat(item["due_on"]) if item["due_on"] else None,
            done_at=datetime.fromisoformat(item["done_at"]) if item["done_at"] else None,
        )
        for order, item in enumerate(base.get("actions", []), start=1)
    )
    reflection_refresh_search_text(reflections=Reflection.objects.filter(pk=reflection.pk))


@transaction.atomic
def reflection_discard_amendment(*, reflection: Reflection, by: User) -> Reflection:
    """Put a reopened reflection back exactly as it was submitted, dropping the changes since.

    For an amendment begun by mistake or abandoned: nothing is filed in the history, because
    the submitted content never changed. Every change since reopening goes, as the author was
    told, including a save still on its way from the step page they left to get here; so the
    revision is bumped outright (an open step page then meets a conflict or a closed
    reflection), not compared. The row is read again under a lock: a submit that just landed
    elsewhere wins, and this raises NotEditableError.
    """
    if reflection.author_id != by.pk:
        raise ValidationError(_("Only the author can discard an amendment."))
    current = Reflection.objects.select_for_update().filter(pk=reflection.pk).first()
    if current is None or not current.is_amending:
        raise NotEditableError
    base = current.amendment_base or {}
    for name in _RESTORED_FIELDS:
        setattr(reflection, name, base[name])
    amended_on = current.session_date
    reflection.session_date = date.fromisoformat(base["session_date"])
    _restore_rows(reflection, base)
    reflection.amendment_base = None
    # Chains begun during the amendment go with it: the submitted version had none unfinished.
    reflection.incomplete_chains = []
    reflection.unsent_answers = {}
    reflection.revision = current.revision + 1
    reflection.save(
        update_fields=[
            *_RESTORED_FIELDS,
            "session_date",
            "amendment_base",
            "incomplete_chains",
            "unsent_answers",
            "revision",
            "updated_at",
        ]
    )
    practice_tally.refresh(
        author=reflection.author_id, months=[amended_on, reflection.session_date]
    )
    return reflection


@transaction.atomic
def reflection_delete(
    *, reflection: Reflection, by: User, request: HttpRequest | None = None
) -> None:
    """Delete a draft, and record that in the audit trail (never its text).

    A submitted reflection is not deleted here.
    """
    if reflection.author_id != by.pk:
        raise ValidationError(_("Only the author can delete a reflection."))
    if not reflection.is_draft:
        raise NotEditableError
    audit_record(
        action=AuditEvent.Action.REFLECTION_DELETED,
        actor=by,
        request=request,
        organisation=reflection.organisation,
        subject=reflection.author,
        target=reflection,
        status=reflection.status,
    )
    reflection.delete()
