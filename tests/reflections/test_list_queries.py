"""My reflections runs the same, fixed number of queries with 10 and with 1,000 reflections."""

from __future__ import annotations

from datetime import date

import time_machine
from django.test import TestCase
from django.urls import reverse

from demo.reflections import generate_reflections
from reflections.models import Reflection
from tests.base import make_personas
from tests.reflections.practice_helpers import load_framework

URL = reverse("reflections:list")
TODAY = date(2025, 6, 15)
FILTERED = {"q": "listened", "context": "accepting", "status": "submitted", "page": "2"}


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestListQueryCount(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def generate(self, count: int, *, seed: int, status: str) -> None:
        generate_reflections(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=self.version,
            count=count,
            today=TODAY,
            seed=seed,
            status=status,
        )

    def test_my_reflections_runs_eleven_queries_with_10_or_1000_reflections(self) -> None:
        """11 queries, whatever the number of reflections or the page.

        Site-wide (3): the session, the user and the header's memberships for the navigation. Filter choices (5): the current
        framework version, its contexts, mechanisms and outcome domains, and the worker's
        person labels. The list (3): the count for the pagination, one page of rows, and the
        page's context badges in one prefetch.
        """
        client = self.people.client_for(self.people.alice)
        self.generate(5, seed=1, status=Reflection.Status.SUBMITTED)
        self.generate(5, seed=2, status=Reflection.Status.DRAFT)
        with self.assertNumQueries(11):
            response = client.get(URL)
        assert len(response.context["rows"]) == 10

        self.generate(990, seed=3, status=Reflection.Status.SUBMITTED)
        with self.assertNumQueries(11):
            response = client.get(URL, {"page": "7"})
        assert len(response.context["rows"]) == 20
        assert response.context["page"].paginator.count == 1000

    def test_filters_and_search_add_no_queries_as_the_data_grows(self) -> None:
        """11 queries with every filter and a search, as many as the plain list.

        Filters are conditions on the same two queries (count and page); a search replaces
        the count with the ids of its newest matches, in order, and the page reads those
        rows by id. Neither costs more however many reflections match or are searched.
        """
        client = self.people.client_for(self.people.alice)
        self.generate(10, seed=4, status=Reflection.Status.SUBMITTED)
        with self.assertNumQueries(11):
            response = client.get(URL, {**FILTERED, "page": "1"})
        assert response.context["rows"]

        self.generate(990, seed=5, status=Reflection.Status.SUBMITTED)
        with self.assertNumQueries(11):
            response = client.get(URL, FILTERED)
        assert response.context["page"].paginator.count > 20
