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

    def test_my_practice_runs_twelve_queries_with_10_or_1000_reflections(self) -> None:
        """12 queries once the framework's parts are cached, whatever the number of reflections.

        Site-wide (4): the session, the user, the two-factor check on the user's memberships
        and the header's memberships for the navigation. Framework (1): the current version;
        its evidence parts and the evidence map come from the cache. The worker's practice
        (7): the active memberships, the stored monthly tallies of the whole months in the
        period added up in the database, and this month so far (the period ends today)
        counted from the reflections: reflections per month, chains, presence, pairs of
        contexts present together, and one union for the reach of every box.
        """
        client = self.people.client_for(self.people.alice)
        self.generate(10, seed=1)
        client.get(URL)
        for params in ({}, {"period": "all"}):
            with self.assertNumQueries(12):
                response = client.get(URL, params)
            assert response.context["report"].total > 0
        small_total = client.get(URL, {"period": "all"}).context["report"].total
        assert small_total == 10

        self.generate(990, seed=2)
        for params in ({}, {"period": "all"}):
            with self.assertNumQueries(12):
                response = client.get(URL, params)
        assert response.context["report"].total == 1000

    def test_a_period_of_whole_months_reads_only_the_tallies(self) -> None:
        """7 queries: nothing is counted from the reflections when the period ends on a month's
        last day, so only the memberships and the tallies are read for the practice."""
        client = self.people.client_for(self.people.alice)
        self.generate(50, seed=3)
        whole_months = {"date_from": "2024-06-01", "date_to": "2025-05-31"}
        client.get(URL)

        with self.assertNumQueries(7):
            response = client.get(URL, whole_months)

        assert response.context["report"].total == 50 - self.this_month()

    def test_the_first_visit_reads_the_framework_parts_once_for_everyone(self) -> None:
        """21 queries on a cold cache: the nine queries of the evidence parts, once per version.

        The next visit, by anyone, reads them from the cache (12 queries).
        """
        self.generate(10, seed=4)
        alice = self.people.client_for(self.people.alice)
        bob = self.people.client_for(self.people.bob)

        with self.assertNumQueries(21):
            alice.get(URL)
        with self.assertNumQueries(12):
            bob.get(URL)

    def this_month(self) -> int:
        return self.people.alice.reflections.filter(session_date__gte=date(2025, 6, 1)).count()
