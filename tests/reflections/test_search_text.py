"""A search finds the words a worker wrote in their evidence, whichever way they were written.

The stored search vector is a generated column and reads only the reflection's own row, so
every write of context ratings, chains or outcome observations refreshes the reflection's copy
of its evidence lines (`evidence_text`). One test per write path, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

import time_machine
from django.db.models import QuerySet
from django.test import Client, TestCase
from django.urls import reverse

from accounts.models import Membership
from datarights import export, importer
from demo.reflections import generate_reflections, seed_reflections
from framework.models import FrameworkVersion
from reflections import selectors, services
from reflections.models import Chain, ContextRating, OutcomeObservation, Reflection
from reflections.selectors import SEARCH_LIMIT
from reflections.services import (
    ChainInput,
    ObservationInput,
    RatingInput,
    StepValues,
    reflection_refresh_search_text,
)
from reflections.steps import Step
from tests.base import Personas, make_member, make_personas, make_user
from tests.reflections.flow_support import context, domain, mechanism
from tests.reflections.practice_helpers import load_framework, write_reflection

URL = reverse("reflections:list")
TODAY = date(2025, 6, 15)


def evidence_text(reflection: Reflection) -> str:
    return Reflection.objects.values_list("evidence_text", flat=True).get(pk=reflection.pk)


@time_machine.travel(TODAY, tick=False)
class TestEvidenceIsSearched(TestCase):
    people: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def setUp(self) -> None:
        self.alice = self.people.client_for(self.people.alice)
        self.reflection = services.reflection_start(
            by=self.people.alice, organisation=self.people.riverside
        )

    def found(self, query: str) -> list[Reflection]:
        response = self.alice.get(URL, {"q": query})
        assert response.status_code == 200
        return [row.reflection for row in response.context["rows"]]

    def save(self, step: Step, values: StepValues) -> None:
        self.reflection.refresh_from_db()
        services.reflection_save_step(
            reflection=self.reflection,
            by=self.people.alice,
            step=step,
            values=values,
            revision=self.reflection.revision,
        )

    def test_the_refresh_copies_every_kind_of_evidence_line_and_nothing_else(self) -> None:
        version, reflection = self.version, self.reflection
        ContextRating.objects.create(
            reflection=reflection,
            context=context(version, "accepting"),
            presence=2,
            evidence="Sat with the silence.",
        )
        Chain.objects.create(
            reflection=reflection,
            context=context(version, "accepting"),
            mechanism=mechanism(version, "i_am_acceptable_or_worthwhile"),
            outcome_domain=domain(version, "self_acceptance"),
            description="They smiled for the first time.",
        )
        OutcomeObservation.objects.create(
            reflection=reflection,
            domain=domain(version, "self_acceptance"),
            observation="Shoulders dropped.",
        )
        assert self.found("silence") == []  # written behind the services' back

        updated = reflection_refresh_search_text(
            reflections=Reflection.objects.filter(pk=reflection.pk)
        )

        assert updated == 1
        lines = evidence_text(reflection).split()
        assert " ".join(lines) == (
            "Sat with the silence. They smiled for the first time. Shoulders dropped."
        )
        for word in ("silence", "smiled", "shoulders"):
            assert self.found(word) == [reflection]

    def test_the_refresh_is_idempotent_and_empties_when_the_evidence_goes(self) -> None:
        rating = ContextRating.objects.create(
            reflection=self.reflection,
            context=context(self.version, "accepting"),
            presence=1,
            evidence="Gentle.",
        )
        only_this = Reflection.objects.filter(pk=self.reflection.pk)
        reflection_refresh_search_text(reflections=only_this)
        reflection_refresh_search_text(reflections=only_this)
        assert evidence_text(self.reflection).split() == ["Gentle."]

        rating.delete()
        reflection_refresh_search_text(reflections=only_this)
        assert evidence_text(self.reflection).strip() == ""
        assert self.found("gentle") == []

    def test_saving_the_contexts_step_makes_its_evidence_searchable(self) -> None:
        rating = RatingInput(
            context=context(self.version, "accepting"), presence=2, evidence="Held the quiet."
        )
        self.save(Step.CONTEXTS, StepValues(ratings=[rating]))
        assert self.found("quiet") == [self.reflection]

        self.save(Step.CONTEXTS, StepValues(ratings=[RatingInput(context=rating.context)]))
        assert self.found("quiet") == []

    def test_saving_the_chains_step_makes_its_words_searchable(self) -> None:
        chain = ChainInput(
            context=context(self.version, "accepting"),
            mechanism=mechanism(self.version, "i_am_acceptable_or_worthwhile"),
            outcome_domain=domain(self.version, "self_acceptance"),
            description="Talked about the allotment.",
        )
        self.save(Step.CHAINS, StepValues(chains=[chain], incomplete_chains=[]))
        assert self.found("allotment") == [self.reflection]

    def test_saving_the_outcomes_step_makes_its_observations_searchable(self) -> None:
        observation = ObservationInput(
            domain=domain(self.version, "self_acceptance"), observation="Laughed at last."
        )
        self.save(Step.OUTCOMES, StepValues(observations=[observation]))
        assert self.found("laughed") == [self.reflection]

    def test_the_quick_page_makes_its_evidence_searchable(self) -> None:
        rating = RatingInput(
            context=context(self.version, "accepting"), presence=3, evidence="Warm welcome."
        )
        self.reflection.refresh_from_db()
        services.reflection_save_quick(
            reflection=self.reflection,
            by=self.people.alice,
            values=StepValues(fields={"what_happened": "A visit."}, ratings=[rating]),
            revision=self.reflection.revision,
        )
        assert self.found("welcome") == [self.reflection]

    def test_discarding_an_amendment_puts_the_submitted_evidence_back_in_the_search(
        self,
    ) -> None:
        accepting = context(self.version, "accepting")
        self.save(
            Step.CONTEXTS,
            StepValues(ratings=[RatingInput(context=accepting, presence=2, evidence="Kettle.")]),
        )
        self.reflection.refresh_from_db()
        services.reflection_submit(reflection=self.reflection, by=self.people.alice)
        services.reflection_amend(reflection=self.reflection, by=self.people.alice)
        self.save(
            Step.CONTEXTS,
            StepValues(ratings=[RatingInput(context=accepting, presence=2, evidence="Biscuits.")]),
        )
        assert (self.found("kettle"), self.found("biscuits")) == ([], [self.reflection])

        services.reflection_discard_amendment(reflection=self.reflection, by=self.people.alice)

        assert (self.found("kettle"), self.found("biscuits")) == ([self.reflection], [])

    def test_another_workers_evidence_is_never_found(self) -> None:
        write_reflection(
            author=self.people.bob,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY,
            presence={"accepting": 2},
        )
        bobs = ContextRating.objects.get(reflection__author=self.people.bob)
        bobs.evidence = "Bob's own marmalade."
        bobs.save()
        reflection_refresh_search_text(
            reflections=Reflection.objects.filter(author=self.people.bob)
        )
        assert self.found("marmalade") == []


@time_machine.travel(TODAY, tick=False)
class TestOtherWritersKeepTheSearchRight(TestCase):
    people: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def found(self, client: Client, query: str) -> int:
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
        return int(response.context["page"].paginator.count)

    def test_generated_reflections_have_their_evidence_searchable(self) -> None:
        generate_reflections(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=self.version,
            count=30,
            today=TODAY,
            seed=3,
        )
        with_evidence = ContextRating.objects.filter(
            reflection__author=self.people.alice, evidence__contains="Listened"
        ).values("reflection")
        expected = Reflection.objects.filter(pk__in=with_evidence).count()
        assert expected > 0
        client = self.people.client_for(self.people.alice)
        assert self.found(client, "reflected") == expected

    def test_the_demo_seed_has_its_evidence_searchable(self) -> None:
        worker = make_user("seeded")
        make_member(worker, self.people.riverside, Membership.Role.PEER_WORKER)
        seed_reflections(
            demo_worker=worker,
            demo_worker_2=self.people.bob,
            other_worker=self.people.omar,
            today=TODAY,
        )
        missing = [
            reflection.pk
            for reflection in Reflection.objects.filter(author=worker).prefetch_related(
                "context_ratings"
            )
            if any(
                rating.evidence and rating.evidence not in evidence_text(reflection)
                for rating in reflection.context_ratings.all()
            )
        ]
        assert Reflection.objects.filter(author=worker).exists()
        assert missing == []

    def test_an_imported_export_has_its_evidence_searchable(self) -> None:
        alice = self.people.alice
        reflection = write_reflection(
            author=alice,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY - timedelta(days=1),
            presence={"accepting": 2},
            what_happened="A visit.",
        )
        ContextRating.objects.filter(reflection=reflection).update(evidence="Porridge oats.")
        path = Path(tempfile.mkdtemp()) / "export.zip"
        export.write_zip(user=alice, path=path, with_pdfs=False)
        make_member(alice, self.people.hillside, Membership.Role.PEER_WORKER)

        record = importer.import_upload(
            upload=io.BytesIO(path.read_bytes()), user=alice, organisation=self.people.hillside
        )

        imported = Reflection.objects.get(author=alice, organisation=self.people.hillside)
        assert record.reflections == 1
        assert "Porridge oats." in evidence_text(imported)


@time_machine.travel(TODAY, tick=False)
class TestManyMatches(TestCase):
    people: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]
    matching: ClassVar[QuerySet[Reflection]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        generate_reflections(
            author=cls.people.alice,
            organisation=cls.people.riverside,
            version=cls.version,
            count=SEARCH_LIMIT * 2,
            today=TODAY,
            seed=5,
        )
        # Every generated reflection says "reflected" in its evidence, the newest most of all.
        cls.matching = Reflection.objects.filter(
            author=cls.people.alice, evidence_text__contains="reflected"
        )

    def test_more_matches_than_the_limit_list_the_newest_and_say_there_are_more(self) -> None:
        assert self.matching.count() > SEARCH_LIMIT
        client = self.people.client_for(self.people.alice)

        response = client.get(URL, {"q": "reflected"})

        page = response.context["page"]
        assert response.context["capped"] is True
        assert page.paginator.count == SEARCH_LIMIT
        assert f"More than {SEARCH_LIMIT} reflections match" in response.content.decode()
        newest = list(
            self.matching.order_by("-session_date", "-id").values_list("pk", flat=True)[
                :SEARCH_LIMIT
            ]
        )
        listed = set(page.paginator.object_list)
        assert listed == set(newest)

        last = client.get(URL, {"q": "reflected", "page": "99"})
        assert last.context["page"].number == SEARCH_LIMIT // 20
        assert len(last.context["rows"]) == 20

    def test_fewer_matches_than_the_limit_are_counted_exactly(self) -> None:
        client = self.people.client_for(self.people.alice)
        response = client.get(URL, {"q": "reflected", "date_from": "2025-06-01"})
        expected = self.matching.filter(session_date__gte=date(2025, 6, 1)).count()
        assert 0 < expected < SEARCH_LIMIT
        assert response.context["capped"] is False
        assert response.context["page"].paginator.count == expected

    def test_a_filter_matching_more_than_the_limit_is_capped_the_same_way(self) -> None:
        """A context filter is a lookup per reflection: it lists the newest 200 as well."""
        accepting = selectors.own_reflections(
            user=self.people.alice, filters=selectors.ListFilters(context="accepting")
        )
        assert accepting.count() > SEARCH_LIMIT
        client = self.people.client_for(self.people.alice)
        response = client.get(URL, {"context": "accepting", "status": "submitted"})
        assert response.context["capped"] is True
        assert response.context["page"].paginator.count == SEARCH_LIMIT
        assert "most relevant first" not in response.content.decode()

        plain = client.get(URL, {"status": "submitted"})
        assert plain.context["capped"] is False
        assert plain.context["page"].paginator.count == SEARCH_LIMIT * 2
