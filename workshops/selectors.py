"""Reads of the workshops app: the framework's boxes, and a room's results in fixed queries.

Results are computed from the answers' rows in a fixed number of queries whatever the number
of answers or vignettes: the ratings (1), the chains (1) and, when the intended mapping is
shown, the paper's evidence (1). The counting itself is plain Python in `results`.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from accounts.access import AnyUser
from framework.models import Context, Link, Mechanism, OutcomeDomain
from reflections.practice import Entity
from workshops.access import trainer_workshops
from workshops.models import Answer, AnswerChain, AnswerRating, Workshop, WorkshopItem
from workshops.results import Evidence, FrameworkBoxes, ItemResult, item_result


def framework_boxes() -> FrameworkBoxes:
    """The current version's contexts, mechanisms and outcome domains (3 queries)."""
    return FrameworkBoxes(
        contexts=[
            Entity(key=c.key, name=c.name, summary=c.summary)
            for c in Context.objects.filter(version__is_current=True).order_by("order")
        ],
        mechanisms=[
            Entity(key=m.key, name=m.short_name or m.statement, summary=m.statement)
            for m in Mechanism.objects.filter(version__is_current=True).order_by("order")
        ],
        domains=[
            Entity(key=d.key, name=d.name, summary=d.summary)
            for d in OutcomeDomain.objects.filter(version__is_current=True).order_by("number")
        ],
    )


def workshop_list(*, user: AnyUser) -> QuerySet[Workshop]:
    return trainer_workshops(user).select_related("organisation", "trainer")


def workshop_items(*, workshop: Workshop) -> list[WorkshopItem]:
    return list(workshop.items.select_related("vignette"))


def current_item(*, workshop: Workshop) -> WorkshopItem | None:
    return workshop.items.select_related("vignette").filter(position=workshop.position).first()


def evidence() -> Evidence:
    """The included studies the paper cites for each context → mechanism → domain (1 query)."""
    studies: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    rows = Link.objects.filter(version__is_current=True).values_list(
        "context__key", "mechanism__key", "outcome__domain__key", "citations__number"
    )
    for context, mechanism, domain, number in rows:
        chain = (context, mechanism, domain)
        studies[chain]  # a link without citations still counts as stated
        if number is not None:
            studies[chain].add(number)
    return {chain: len(numbers) for chain, numbers in studies.items()}


def results_for(
    *, items: list[WorkshopItem], boxes: FrameworkBoxes, with_evidence: bool
) -> list[ItemResult]:
    """Each item's results: 2 queries for any number of items and answers, 3 with evidence."""
    ratings: dict[int, dict[int, dict[str, int]]] = {item.pk: {} for item in items}
    for item_id, answer_id, context, presence in AnswerRating.objects.filter(
        answer__item__in=items
    ).values_list("answer__item_id", "answer_id", "context", "presence"):
        ratings[item_id].setdefault(answer_id, {})[context] = presence
    chains: dict[int, dict[int, list[tuple[str, str, str]]]] = {item.pk: {} for item in items}
    for item_id, answer_id, context, mechanism, domain in AnswerChain.objects.filter(
        answer__item__in=items
    ).values_list("answer__item_id", "answer_id", "context", "mechanism", "domain"):
        chains[item_id].setdefault(answer_id, []).append((context, mechanism, domain))
    cited = evidence() if with_evidence else None
    return [
        item_result(
            item=item,
            ratings=ratings[item.pk],
            chains=chains[item.pk],
            boxes=boxes,
            evidence=cited,
        )
        for item in items
    ]


def participant_answer(*, item: WorkshopItem, participant_id: int) -> Answer | None:
    return (
        Answer.objects.filter(item=item, participant_id=participant_id)
        .prefetch_related("ratings", "chains")
        .first()
    )
