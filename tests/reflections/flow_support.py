"""Builders for the reflection flow tests: a draft with rows, and the POST data of each step.

`step_data` gives exactly what the step's page would send for the reflection as it stands (the
same names, the management forms, the revision), so a test changes only what it is about.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from accounts.models import Organisation, User
from framework.models import Context, FrameworkVersion, Mechanism, OutcomeDomain
from framework.services import framework_data_read, framework_load
from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
from tests.base import Personas, make_personas


def load_framework() -> FrameworkVersion:
    """The project's APPEAR data as the current version, for `setUpTestData`."""
    return framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version


def context(version: FrameworkVersion, key: str) -> Context:
    return Context.objects.get(version=version, key=key)


def mechanism(version: FrameworkVersion, key: str) -> Mechanism:
    return Mechanism.objects.get(version=version, key=key)


def domain(version: FrameworkVersion, key: str) -> OutcomeDomain:
    return OutcomeDomain.objects.get(version=version, key=key)


def draft(
    *,
    author: User,
    organisation: Organisation,
    version: FrameworkVersion,
    chains: int = 0,
    actions: int = 0,
    **fields: Any,
) -> Reflection:
    """A draft with `chains` chains (Accepting → I am acceptable → self-acceptance), `actions`
    actions, a rating of every context and an observation in every domain."""
    fields.setdefault("session_date", date(2025, 5, 6))
    reflection = Reflection.objects.create(
        author=author, organisation=organisation, framework_version=version, **fields
    )
    for item in Context.objects.filter(version=version):
        rating = ContextRating.objects.create(
            reflection=reflection, context=item, presence=2, evidence=f"Evidence for {item.name}"
        )
        rating.factors.set(item.factors.all()[:1])
    for outcome_domain in OutcomeDomain.objects.filter(version=version):
        OutcomeObservation.objects.create(
            reflection=reflection,
            domain=outcome_domain,
            observation=f"Noticed {outcome_domain.name}",
        )
    accepting = context(version, "accepting")
    acceptable = mechanism(version, "i_am_acceptable_or_worthwhile")
    self_acceptance = domain(version, "self_acceptance")
    for order in range(1, chains + 1):
        Chain.objects.create(
            reflection=reflection,
            order=order,
            context=accepting,
            mechanism=acceptable,
            outcome_domain=self_acceptance,
            description=f"Chain {order}",
        )
    for order in range(1, actions + 1):
        Action.objects.create(reflection=reflection, order=order, text=f"Action {order}")
    return reflection


def _rows(prefix: str, rows: list[dict[str, Any]], initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "12",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = "" if value is None else value
    return data


def step_data(step: str, reflection: Reflection, **overrides: Any) -> dict[str, Any]:
    """What the step's page sends for `reflection` as saved, with `overrides` on top."""
    reflection.refresh_from_db()
    data: dict[str, Any] = {"revision": str(reflection.revision)}
    if step == "session":
        data |= {
            "session_date": reflection.session_date.isoformat(),
            "duration_minutes": reflection.duration_minutes or "",
            "setting": reflection.setting,
            "contact_stage": reflection.contact_stage,
            "person_label": reflection.person_label,
        }
    elif step == "story":
        data |= {
            name: getattr(reflection, name)
            for name in ("what_happened", "how_i_felt", "went_well", "was_hard")
        }
    elif step == "unintended":
        data["unintended_effects"] = reflection.unintended_effects
    elif step == "contexts":
        ratings = {rating.context_id: rating for rating in reflection.context_ratings.all()}
        for item in Context.objects.filter(version=reflection.framework_version):
            rating = ratings.get(item.pk)
            if rating is None:
                continue
            prefix = f"ctx-{item.key}"
            if rating.presence is not None:
                data[f"{prefix}-presence"] = str(rating.presence)
            data[f"{prefix}-factors"] = [str(f.pk) for f in rating.factors.all()]
            data[f"{prefix}-evidence"] = rating.evidence
    elif step == "chains":
        rows = [
            {
                "id": chain.pk,
                "context": chain.context_id,
                "mechanism": chain.mechanism_id,
                "outcome_domain": chain.outcome_domain_id,
                "description": chain.description,
                "confidence": chain.confidence,
            }
            for chain in reflection.chains.all()
        ]
        data |= _rows("chains", rows, len(rows))
    elif step == "outcomes":
        for observation in reflection.outcome_observations.select_related("domain"):
            prefix = f"outcome-{observation.domain.key}"
            data[f"{prefix}-noticed"] = "on"
            data[f"{prefix}-observation"] = observation.observation
    elif step == "next-steps":
        data["learning"] = reflection.learning
        if reflection.bring_to_supervision:
            data["bring_to_supervision"] = "on"
        rows = [
            {"id": action.pk, "text": action.text, "due_on": action.due_on or ""}
            for action in reflection.actions.all()
        ]
        data |= _rows("actions", rows, len(rows))
    data.update(overrides)
    return data


def chain_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chains formset fields for `rows` (each a dict of id, context, mechanism...)."""
    return _rows("chains", rows, 0)


def action_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return _rows("actions", rows, 0)


def step_url(reflection: Reflection, step: str) -> str:
    return reverse("reflections:step", kwargs={"pk": reflection.pk, "step": step})


class OneDraftTestCase(TestCase):
    """The personas and the framework once per class; a fresh draft of Alice's per test, with
    a client signed in as her."""

    p: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.version = load_framework()

    def setUp(self) -> None:
        self.reflection = draft(
            author=self.p.alice, organisation=self.p.riverside, version=self.version
        )
        self.client = self.p.client_for(self.p.alice)
