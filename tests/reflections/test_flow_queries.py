"""Each step page, the check page and the reflection page run a fixed number of queries,
whether the reflection has one chain and one action or ten of each.

Every signed-in page starts with the same three: the session, the user and the memberships behind
the navigation (the two-factor middleware's answer is remembered in the session). The access check is one
more (the reflection joined to its author's active membership). What each page adds is in its
test's docstring.
"""

from __future__ import annotations

from typing import ClassVar

from django.test import TestCase
from django.urls import reverse

from framework.models import FrameworkVersion
from reflections.models import Reflection
from tests.base import Personas, make_personas
from tests.reflections.flow_support import draft, load_framework

EVERY_PAGE = 3 + 1


class QueryCountTests(TestCase):
    p: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]
    small: ClassVar[Reflection]
    large: ClassVar[Reflection]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.version = load_framework()
        alice, riverside, version = cls.p.alice, cls.p.riverside, cls.version
        cls.small = draft(
            author=alice, organisation=riverside, version=version, chains=1, actions=1
        )
        cls.large = draft(
            author=alice, organisation=riverside, version=version, chains=10, actions=10
        )

    def setUp(self) -> None:
        self.client = self.p.client_for(self.p.alice)

    def assert_queries(self, expected: int, url_name: str, **kwargs: str) -> None:
        for reflection in (self.small, self.large):
            url = reverse(url_name, kwargs={"pk": reflection.pk, **kwargs})
            self.client.get(url)  # the session's first touch writes it; count a steady page
            with self.subTest(reflection=reflection.pk), self.assertNumQueries(expected):
                assert self.client.get(url).status_code == 200

    def test_the_steps_made_of_reflection_fields_need_nothing_more(self) -> None:
        """The session, the story and what did not go well: the reflection row is all."""
        for step in ("session", "story", "unintended"):
            self.assert_queries(EVERY_PAGE, "reflections:step", step=step)

    def test_the_contexts_step(self) -> None:
        """+2: the ratings and their factors. The version's contexts, factors and tensions
        come from the shared cache (framework.caching), filled by the first visit."""
        self.assert_queries(EVERY_PAGE + 2, "reflections:step", step="contexts")

    def test_the_chains_step(self) -> None:
        """+1: the chains. The version's contexts, mechanisms and outcome domains and the
        cited studies of its links (for the suggestion order) come from the shared cache."""
        self.assert_queries(EVERY_PAGE + 1, "reflections:step", step="chains")

    def test_the_outcomes_step(self) -> None:
        """+1: the observations; the version's six domains come from the shared cache."""
        self.assert_queries(EVERY_PAGE + 1, "reflections:step", step="outcomes")

    def test_the_next_steps_step(self) -> None:
        """+1: the actions."""
        self.assert_queries(EVERY_PAGE + 1, "reflections:step", step="next-steps")

    def test_the_check_page(self) -> None:
        """+5: ratings (with contexts), their factors, chains (with context, mechanism and
        domain), observations (with domains) and actions (reflections.reading, no history)."""
        self.assert_queries(EVERY_PAGE + 5, "reflections:check")

    def test_the_reflection_page(self) -> None:
        """+6: the check page's rows through the same reader, and the earlier versions."""
        self.assert_queries(EVERY_PAGE + 6, "reflections:detail")
