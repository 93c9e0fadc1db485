"""Demo reflections: six varied months for demo-worker, idempotent, and nothing identifying."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from django.db import connection
from django.db.models import Max, Min
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from demo.reflections import (
    DEMO_WORKER_SESSIONS,
    demo_texts,
    generate_reflections,
    load_sessions,
    seed_reflections,
)
from framework.models import Context, Mechanism, OutcomeDomain
from reflections import privacy
from reflections.models import Chain, ContextRating, OutcomeObservation, Reflection
from tests.base import make_member, make_personas, make_user
from tests.reflections.practice_helpers import load_framework

TODAY = date(2025, 6, 15)


class TestSeedReflections(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        people = make_personas()
        cls.riverside, cls.hillside = people.riverside, people.hillside
        cls.version = load_framework()
        cls.demo_worker = make_user("demo-worker")
        cls.demo_worker_2 = make_user("demo-worker-2")
        cls.other_worker = make_user("other-worker")
        make_member(cls.demo_worker, cls.riverside, Membership.Role.PEER_WORKER)
        make_member(cls.demo_worker_2, cls.riverside, Membership.Role.PEER_WORKER)
        make_member(cls.other_worker, cls.hillside, Membership.Role.PEER_WORKER)

    def seed(self, today: date = TODAY) -> int:
        return seed_reflections(
            demo_worker=self.demo_worker,
            demo_worker_2=self.demo_worker_2,
            other_worker=self.other_worker,
            today=today,
        )

    def test_demo_worker_gets_about_six_months_of_reflections(self) -> None:
        self.seed()
        mine = Reflection.objects.filter(author=self.demo_worker)
        assert 25 <= mine.count() <= 40
        span = mine.aggregate(first=Min("session_date"), last=Max("session_date"))
        assert TODAY - timedelta(days=183) <= span["first"] <= TODAY - timedelta(days=150)
        assert span["last"] <= TODAY
        assert mine.filter(status=Reflection.Status.DRAFT).count() == 2
        assert mine.filter(bring_to_supervision=True).count() >= 3
        assert set(mine.values_list("organisation", flat=True)) == {self.riverside.pk}
        assert set(mine.values_list("framework_version", flat=True)) == {self.version.pk}
        # Several people, settings and stages.
        assert len(set(mine.values_list("person_label", flat=True))) >= 5
        assert len(set(mine.values_list("setting", flat=True))) >= 4
        assert len(set(mine.values_list("contact_stage", flat=True))) == 3

    def test_every_context_mechanism_and_domain_appears_at_least_once(self) -> None:
        self.seed()
        ratings = ContextRating.objects.filter(reflection__author=self.demo_worker, presence__gte=1)
        chains = Chain.objects.filter(reflection__author=self.demo_worker)
        observations = OutcomeObservation.objects.filter(reflection__author=self.demo_worker)
        all_contexts = set(
            Context.objects.filter(version=self.version).values_list("key", flat=True)
        )
        assert set(ratings.values_list("context__key", flat=True)) == all_contexts
        assert set(chains.values_list("context__key", flat=True)) == all_contexts
        assert set(chains.values_list("mechanism__key", flat=True)) == set(
            Mechanism.objects.filter(version=self.version).values_list("key", flat=True)
        )
        domains = set(chains.values_list("outcome_domain__key", flat=True)) | set(
            observations.values_list("domain__key", flat=True)
        )
        assert domains == set(
            OutcomeDomain.objects.filter(version=self.version).values_list("key", flat=True)
        )

    def test_the_demo_has_a_realistic_blind_spot(self) -> None:
        """Mentalisation is recorded, but rarely; Reciprocal never leads to it."""
        self.seed()
        submitted = Reflection.objects.filter(
            author=self.demo_worker, status=Reflection.Status.SUBMITTED
        )
        with_mentalisation = submitted.filter(chains__mechanism__key="mentalisation").distinct()
        assert 0 < with_mentalisation.count() < submitted.count() / 10
        assert not Chain.objects.filter(
            reflection__author=self.demo_worker,
            context__key="reciprocal",
            mechanism__key="mentalisation",
        ).exists()

    def test_the_other_demo_workers_get_a_few_each_in_their_own_organisation(self) -> None:
        self.seed()
        second = Reflection.objects.filter(author=self.demo_worker_2)
        other = Reflection.objects.filter(author=self.other_worker)
        assert 3 <= second.count() <= 8
        assert 3 <= other.count() <= 8
        assert set(other.values_list("organisation", flat=True)) == {self.hillside.pk}

    def test_running_it_twice_adds_nothing_even_on_another_day(self) -> None:
        first = self.seed()
        assert first == Reflection.objects.count()
        counts = [
            model.objects.count()
            for model in (Reflection, ContextRating, Chain, OutcomeObservation)
        ]
        assert self.seed() == 0
        assert self.seed(TODAY + timedelta(days=9)) == 0
        assert [
            model.objects.count()
            for model in (Reflection, ContextRating, Chain, OutcomeObservation)
        ] == counts

    def test_no_demo_text_trips_the_privacy_check(self) -> None:
        texts = [privacy.Text(field="demo", label="demo", text=text) for text in demo_texts()]
        assert len(texts) > 200
        assert privacy.scan(texts, today=TODAY) == []

    def test_the_seeded_reflections_hold_every_scripted_text(self) -> None:
        self.seed()
        written = set(
            Reflection.objects.filter(author=self.demo_worker).values_list(
                "what_happened", flat=True
            )
        )
        assert written == {session.happened for session in DEMO_WORKER_SESSIONS}

    def test_seeding_without_a_loaded_framework_says_what_to_do(self) -> None:
        self.version.is_current = False
        self.version.save(update_fields=["is_current"])
        with self.assertRaisesMessage(ValueError, "load_framework"):
            self.seed()

    def test_a_worker_without_a_membership_is_refused(self) -> None:
        stranger = User.objects.create_user(username="stranger")
        with self.assertRaisesMessage(ValueError, "no active membership"):
            seed_reflections(
                demo_worker=stranger,
                demo_worker_2=self.demo_worker_2,
                other_worker=self.other_worker,
                today=TODAY,
            )

    @time_machine.travel(date(2025, 6, 15), tick=False)
    def test_demo_workers_practice_page_shows_every_part(self) -> None:
        self.seed()
        client = self.client
        client.force_login(self.demo_worker)
        response = client.get(reverse("reflections:practice"))
        assert response.status_code == 200
        report = response.context["report"]
        assert report.total >= 20
        assert report.together
        assert "mentalisation" in [spot.entity.key for spot in report.mechanism_spots]
        listing = client.get(reverse("reflections:list"))
        assert listing.context["page"].paginator.count == len(DEMO_WORKER_SESSIONS)


class TestGenerateReflections(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def test_it_writes_in_bulk_never_a_query_per_reflection(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            created = generate_reflections(
                author=self.people.alice,
                organisation=self.people.riverside,
                version=self.version,
                count=200,
                today=TODAY,
            )
        assert len(created) == 200
        assert ContextRating.objects.filter(reflection__author=self.people.alice).count() == 1000
        # Four framework reads, inserts batched by the database's parameter limit, then one
        # refresh of the search copy and one of My practice's tallies: far below one a row.
        assert len(queries) < 50

    def test_the_same_seed_gives_the_same_reflections(self) -> None:
        def dates(seed: int) -> list[date]:
            return [
                reflection.session_date
                for reflection in generate_reflections(
                    author=self.people.bob,
                    organisation=self.people.riverside,
                    version=self.version,
                    count=20,
                    today=TODAY,
                    seed=seed,
                )
            ]

        assert dates(7) == dates(7)
        assert dates(7) != dates(8)


class TestDemoDataFile(TestCase):
    """The demo's sessions are data (demo/data/reflections.yaml), checked against the framework."""

    def test_every_session_names_parts_the_framework_has(self) -> None:
        version = load_framework()
        contexts = set(Context.objects.filter(version=version).values_list("key", flat=True))
        mechanisms = set(Mechanism.objects.filter(version=version).values_list("key", flat=True))
        domains = set(OutcomeDomain.objects.filter(version=version).values_list("key", flat=True))
        sessions = load_sessions()
        assert {name: len(found) for name, found in sessions.items()} == {
            "demo-worker": 31,
            "demo-worker-2": 5,
            "other-worker": 3,
        }
        for found in sessions.values():
            for session in found:
                assert set(session.ratings) <= contexts, session.label
                assert set(session.observations) <= domains, session.label
                for chain in session.chains:
                    assert chain.context in contexts
                    assert chain.mechanism in mechanisms
                    assert chain.domain in domains
                    assert chain.confidence in {1, 2, 3}
                assert session.setting in Reflection.Setting.values
                assert session.stage in Reflection.ContactStage.values
