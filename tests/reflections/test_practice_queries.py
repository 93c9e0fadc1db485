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

    def test_my_practice_runs_eighteen_queries_with_10_or_1000_reflections(self) -> None:
        """18 queries, whatever the number of reflections.

        Site-wide (3): the session, the user and the header's memberships for the navigation. Framework (10): the current version,
        its contexts, mechanisms and outcome domains, tensions with their contexts (2), cited
        links with their citations and additional mechanisms (3) and the study count. The
        worker's practice, aggregated in the database (5): reflections per month, chains per
        context → mechanism → domain, presence per month and context, pairs of contexts
        present together, and one conditional count per context, mechanism and domain.
        """
        client = self.people.client_for(self.people.alice)
        self.generate(10, seed=1)
        for params in ({}, {"period": "all"}):
            with self.assertNumQueries(18):
                response = client.get(URL, params)
            assert response.context["report"].total > 0
        small_total = client.get(URL, {"period": "all"}).context["report"].total
        assert small_total == 10

        self.generate(990, seed=2)
        for params in ({}, {"period": "all"}):
            with self.assertNumQueries(18):
                response = client.get(URL, params)
        assert response.context["report"].total == 1000
