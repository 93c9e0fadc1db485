"""What the workshop tests share: a loaded framework and library, and a room with answers."""

from __future__ import annotations

import random
from typing import ClassVar

from django.conf import settings
from django.test import Client, TestCase

from framework.services import framework_data_read, framework_load
from tests.base import Personas, make_personas
from workshops import selectors, services
from workshops.access import PARTICIPANT_COOKIE
from workshops.models import Participant, Vignette, Workshop
from workshops.results import FrameworkBoxes

CONTEXT_KEYS = ["accepting", "personalised_practice", "empowering", "available", "reciprocal"]
CONTEXT_NAMES = ["Accepting", "Personalised Practice", "Empowering", "Available", "Reciprocal"]


def load_library() -> list[Vignette]:
    services.vignettes_load(entries=services.vignette_data_read(settings.VIGNETTE_DATA_FILE))
    return list(Vignette.objects.filter(organisation=None, is_current=True).order_by("key"))


def answer_fields(
    item_pk: int, ratings: dict[str, int] | None = None, **extra: str
) -> dict[str, object]:
    """A complete answer as the phone's form posts it."""
    ratings = ratings or dict.fromkeys(CONTEXT_KEYS, 2)
    data: dict[str, object] = {"item": item_pk, "reasoning": ""}
    data.update({f"rating_{key}": value for key, value in ratings.items()})
    data.update(
        {
            "chain1_context": "accepting",
            "chain1_mechanism": "i_am_acceptable_or_worthwhile",
            "chain1_domain": "self_acceptance",
        }
    )
    data.update(extra)
    return data


class WorkshopTestCase(TestCase):
    """Personas, the framework and the library; Tara's open workshop of three vignettes."""

    p: ClassVar[Personas]
    library: ClassVar[list[Vignette]]
    workshop: ClassVar[Workshop]
    boxes: ClassVar[FrameworkBoxes]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
        cls.library = load_library()
        cls.boxes = selectors.framework_boxes()
        cls.workshop = cls.make_workshop(title="Induction", vignettes=cls.library[:3])

    @classmethod
    def make_workshop(
        cls, *, title: str, vignettes: list[Vignette], open_it: bool = True
    ) -> Workshop:
        from django.utils import timezone

        workshop = services.workshop_create(
            organisation=cls.p.riverside,
            trainer=cls.p.tara,
            title=title,
            day=timezone.localdate(),
            mode="individual",
            vignettes=vignettes,
        )
        return services.workshop_open(workshop=workshop) if open_it else workshop

    def join(
        self, client: Client, name: str = "Ade", workshop: Workshop | None = None
    ) -> Participant:
        workshop = workshop or Workshop.objects.get(pk=self.workshop.pk)
        response = client.post("/join/", {"code": workshop.join_code, "display_name": name})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert PARTICIPANT_COOKIE in response.cookies
        return Participant.objects.get(workshop=workshop, display_name=name)

    def fill_answers(self, workshop: Workshop, count: int, seed: int = 7) -> None:
        """`count` participants answer the current vignette through the service."""
        workshop.refresh_from_db()
        item = selectors.current_item(workshop=workshop)
        assert item is not None
        assert workshop.join_code is not None
        rng = random.Random(seed)
        for index in range(count):
            person = services.participant_join(code=workshop.join_code, display_name=f"P{index}")
            services.answer_save(
                participant=person,
                item=item,
                ratings={key: rng.randint(0, 3) for key in CONTEXT_KEYS},
                chains=[
                    (
                        rng.choice(CONTEXT_KEYS),
                        rng.choice(self.boxes.mechanisms).key,
                        rng.choice(self.boxes.domains).key,
                    )
                    for _ in range(rng.randint(1, 3))
                ],
                reasoning="",
                contexts=set(CONTEXT_KEYS),
            )
