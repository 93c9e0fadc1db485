"""Demo workshops for `demo-trainer`: the vignette library, one finished workshop with a dozen
fictional participants' answers, and one open workshop ready to join.

Everything goes through the real services (joining with the code, answering the current
vignette, moving on, closing), from workshops/data/demo.yaml. Idempotent: a second run finds
the workshops by title and adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from django.utils import timezone

from framework.selectors import current_version
from workshops import selectors, services
from workshops.models import Vignette, Workshop

if TYPE_CHECKING:
    from demo.people import DemoWorld

DEMO_FILE = Path(__file__).resolve().parent / "data" / "workshops.yaml"


def _vignettes(keys: list[str]) -> list[Vignette]:
    found = {
        v.key: v for v in Vignette.objects.filter(organisation=None, is_current=True, key__in=keys)
    }
    return [found[key] for key in keys]


def _drawn_answer(
    vignette: Vignette, rng: random.Random, boxes: Any
) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    ratings = {}
    for key in boxes.context_keys:
        intended = int(vignette.intended_ratings.get(key, 1))
        ratings[key] = min(3, max(0, intended + rng.choice([-1, 0, 0, 0, 1])))
    intended_chains = [
        (c["context"], c["mechanism"], c["domain"]) for c in vignette.intended_chains
    ]
    chains = [chain for chain in intended_chains if rng.random() < 0.7]
    if not chains or rng.random() < 0.3:
        chains.append(
            (
                rng.choice(boxes.contexts).key,
                rng.choice(boxes.mechanisms).key,
                rng.choice(boxes.domains).key,
            )
        )
    return ratings, list(dict.fromkeys(chains))[:3]


def seed_workshops(world: DemoWorld) -> str:
    if current_version() is None:
        return "Demo workshops skipped: run `manage.py load_framework` first, then again."
    report = services.vignettes_load(
        entries=services.vignette_data_read(settings.VIGNETTE_DATA_FILE)
    )
    plan = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    trainer = world.users[plan["trainer"]]
    organisation = world.organisations[plan["organisation"]]
    made = 0
    finished = plan["finished"]
    if not Workshop.objects.filter(organisation=organisation, title=finished["title"]).exists():
        workshop = services.workshop_create(
            organisation=organisation,
            trainer=trainer,
            title=finished["title"],
            day=timezone.localdate() - timedelta(days=finished["days_ago"]),
            mode=finished["mode"],
            vignettes=_vignettes(finished["vignettes"]),
        )
        workshop = services.workshop_open(workshop=workshop)
        assert workshop.join_code is not None
        people = [
            services.participant_join(code=workshop.join_code, display_name=name)
            for name in finished["participants"]
        ]
        rng = random.Random(finished["seed"])  # noqa: S311 (repeatable demo data, not a secret)
        boxes = selectors.framework_boxes()
        for position, item in enumerate(selectors.workshop_items(workshop=workshop)):
            if position:
                workshop = services.workshop_move(workshop=workshop, step=1)
            for person in people:
                ratings, chains = _drawn_answer(item.vignette, rng, boxes)
                services.answer_save(
                    participant=person,
                    item=item,
                    ratings=ratings,
                    chains=chains,
                    reasoning="",
                    contexts=boxes.context_keys,
                )
        services.workshop_close(workshop=workshop)
        made += 1
    ready = plan["open"]
    if not Workshop.objects.filter(organisation=organisation, title=ready["title"]).exists():
        workshop = services.workshop_create(
            organisation=organisation,
            trainer=trainer,
            title=ready["title"],
            day=timezone.localdate(),
            mode=ready["mode"],
            vignettes=_vignettes(ready["vignettes"]),
        )
        services.workshop_open(workshop=workshop)
        made += 1
    return f"Demo workshops: {report.created} vignettes loaded, {made} workshops new."
