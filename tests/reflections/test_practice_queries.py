"""My practice runs the same, fixed number of queries with 10 and with 1,000 reflections."""

from __future__ import annotations

from datetime import date

import time_machine
from django.test import TestCase
from django.urls import reverse

from demo.reflections import generate_reflections
from tests.base import make_personas
from tests.reflections.practice_helpers import load_framework

URL = reverse("reflections:practice")
TODAY = date(2025, 6, 15)


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestPracticeQueryCount(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def generate(self, count: int, *, seed: int) -> None:
        generate_reflections(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=self.version,
            count=count,
            today=TODAY,
            seed=seed,
        )

    def test_my_practice_runs_five_queries_with_10_or_1000_reflections(self) -> None:
        """5 queries once the framework's parts are cached, whatever the number of reflections.

        Site-wide (3): the session, the user and the header's memberships for the navigation
        (the two-factor answer is kept in the session). Framework (1): the current version;
        its evidence parts and the evidence map come from the cache. The worker's practice
        (1): the stored monthly tallies of the period, added up in the database; this month
        is used whole, since no session in it is dated after today.
        """
        client = self.people.client_for(self.people.alice)
        self.generate(10, seed=1)
        client.get(URL)
        for params in ({}, {"period": "all"}):
            with self.assertNumQueries(5):
                response = client.get(URL, params)
            assert response.context["report"].total > 0
        small_total = client.get(URL, {"period": "all"}).context["report"].total
        assert small_total == 10

        self.generate(990, seed=2)
        for params in ({}, {"period": "all"}):
            with self.assertNumQueries(5):
                response = client.get(URL, params)
        assert response.context["report"].total == 1000

    def test_a_period_cutting_through_months_with_sessions_outside_counts_those_months(
        self,
    ) -> None:
        """15 queries: a month the period cuts, holding sessions outside the period, is counted
        from the reflections (5 queries for each end) instead of from its tally.

        Bounded by the two months of the worker's own rows, whatever their history.
        """
        client = self.people.client_for(self.people.alice)
        self.generate(300, seed=3)
        cutting = {"date_from": "2024-09-15", "date_to": "2025-03-15"}
        client.get(URL)

        with self.assertNumQueries(15):
            response = client.get(URL, cutting)

        expected = self.people.alice.reflections.filter(
            session_date__range=(date(2024, 9, 15), date(2025, 3, 15))
        ).count()
        assert response.context["report"].total == expected

    def test_the_first_visit_reads_the_framework_parts_once_for_everyone(self) -> None:
        """14 queries on a cold cache: the nine queries of the evidence parts, once per version.

        The next visit, by anyone, reads them from the cache (5 queries).
        """
        self.generate(10, seed=4)
        alice = self.people.client_for(self.people.alice)
        bob = self.people.client_for(self.people.bob)

        with self.assertNumQueries(14):
            alice.get(URL)
        with self.assertNumQueries(5):
            bob.get(URL)
