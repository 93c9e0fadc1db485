"""The steps of the guided reflection, in order, and where each answer lives in the forms.

Forms, services, the privacy check and the templates all name steps and form fields through
this module, so a link back to "the field that holds this text" stays right.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Step(StrEnum):
    SESSION = "session"
    STORY = "story"
    CONTEXTS = "contexts"
    CHAINS = "chains"
    OUTCOMES = "outcomes"
    UNINTENDED = "unintended"
    NEXT_STEPS = "next-steps"


ORDER: list[Step] = list(Step)

# The summary page counts as the last step of the progress indicator.
CHECK = "check"
STEP_COUNT = len(ORDER) + 1

TITLES: dict[str, Promise] = {
    Step.SESSION: _("The session"),
    Step.STORY: _("What happened, and how I felt"),
    Step.CONTEXTS: _("The five contexts"),
    Step.CHAINS: _("What seemed to shift for them"),
    Step.OUTCOMES: _("Outcomes I noticed"),
    Step.UNINTENDED: _("What did not go well"),
    Step.NEXT_STEPS: _("Learning and next steps"),
    CHECK: _("Check and submit"),
}

# The Reflection fields each step writes; rows (ratings, chains...) are handled separately.
STEP_FIELDS: dict[Step, tuple[str, ...]] = {
    Step.SESSION: ("session_date", "duration_minutes", "setting", "contact_stage", "person_label"),
    Step.STORY: ("what_happened", "how_i_felt", "went_well", "was_hard"),
    Step.CONTEXTS: (),
    Step.CHAINS: (),
    Step.OUTCOMES: (),
    Step.UNINTENDED: ("unintended_effects",),
    Step.NEXT_STEPS: ("learning", "bring_to_supervision"),
}

CONTEXT_PREFIX = "ctx"
CHAIN_PREFIX = "chains"
OUTCOME_PREFIX = "outcome"
ACTION_PREFIX = "actions"

MAX_CHAINS = 12
MAX_ACTIONS = 12


def number(step: str) -> int:
    """The step's place in the progress indicator, from 1."""
    return STEP_COUNT if step == CHECK else ORDER.index(Step(step)) + 1


def following(step: Step) -> str:
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else CHECK


def preceding(step: Step) -> Step | None:
    index = ORDER.index(step)
    return ORDER[index - 1] if index > 0 else None


def context_prefix(key: str) -> str:
    return f"{CONTEXT_PREFIX}-{key}"


def outcome_prefix(key: str) -> str:
    return f"{OUTCOME_PREFIX}-{key}"


def field_id(name: str) -> str:
    """The HTML id Django gives the input named `name` (auto_id "id_%s")."""
    return f"id_{name}"
