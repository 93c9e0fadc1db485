"""The stored search finds what the search before it found, for a table of queries.

`previous_search` is the search as it was before the stored vector (issue 13): the text
computed per row, and each evidence text matched on its own. Every query of the table must
find the same reflections through My reflections as it did, on SQLite and on PostgreSQL,
with one deliberate difference: on PostgreSQL the words of a query may now be found partly
in the reflection's own text and partly in its evidence lines, as SQLite always allowed.
"""

from __future__ import annotations

import unittest
from datetime import date, timedelta
from typing import ClassVar

import time_machine
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.test import TestCase
from django.urls import reverse

from framework.models import FrameworkVersion
from reflections.models import SEARCH_FIELDS, Chain, ContextRating, OutcomeObservation, Reflection
from reflections.services import reflection_refresh_search_text
from tests.base import Personas, make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection

URL = reverse("reflections:list")
TODAY = date(2025, 6, 15)
RELATED = ((ContextRating, "evidence"), (Chain, "description"), (OutcomeObservation, "observation"))

# Queries both backends answer; those only PostgreSQL understands follow.
QUERIES = [
    "garden",
    "GARDEN",
    "garden beans",
    "beans",
    "allotment",
    "patient allotment",
    "zebra",
    "'",
    "&",
    "a & | ! (",
    "<script>",
    "100%",
    "under_score",
    "café",
]
POSTGRES_QUERIES = [
    "walks",
    "walking",
    '"community garden"',
    '"garden community"',
    '"unclosed',
    "garden -beans",
    "-",
    "gardens or allotments",
]


def previous_search(queryset: QuerySet[Reflection], query: str) -> QuerySet[Reflection]:
    """The search as it was before the stored vector, for comparison."""
    if connection.vendor == "postgresql":
        search = SearchQuery(query, config="english", search_type="websearch")
        vector = SearchVector(*SEARCH_FIELDS, config="english")
        matching = queryset.alias(document=vector).filter(document=search).order_by().values("pk")
        candidates = queryset.order_by().values("pk")
        for model, text_field in RELATED:
            matching = matching.union(
                model.objects.filter(reflection__in=candidates)
                .alias(document=SearchVector(text_field, config="english"))
                .filter(document=search)
                .order_by()
                .values("reflection_id")
            )
        return queryset.filter(pk__in=matching)
    for word in query.split()[:8]:
        matches = Q()
        for name in SEARCH_FIELDS:
            matches |= Q(**{f"{name}__icontains": word})
        for model, text_field in RELATED:
            related = model.objects.filter(
                reflection=OuterRef("pk"), **{f"{text_field}__icontains": word}
            )
            matches |= Q(Exists(related))
        queryset = queryset.filter(matches)
    return queryset


@time_machine.travel(TODAY, tick=False)
class TestSameResultsAsBefore(TestCase):
    people: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]
    across: ClassVar[Reflection]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

        def write(days_ago: int, **fields: object) -> Reflection:
            return write_reflection(
                author=cls.people.alice,
                organisation=cls.people.riverside,
                version=cls.version,
                session_date=TODAY - timedelta(days=days_ago),
                **fields,  # type: ignore[arg-type]
            )

        write(1, what_happened="We walked to the Community Garden and planted beans together.")
        write(2, learning="Set boundaries early; the garden can wait. 100% worth it.")
        patient = write(3, chains=[("accepting", "others_safe_trusted_like_me", "self_expression")])
        Chain.objects.filter(reflection=patient).update(
            description="Being patient let them talk about the allotment."
        )
        write(4, how_i_felt="Calm, at the café; an under_score in my notes.")
        cls.across = write(
            5, what_happened="Walking by the canal.", presence={"accepting": 2}, status="draft"
        )
        ContextRating.objects.filter(reflection=cls.across).update(
            evidence="We talked about her garden."
        )
        write(6, what_happened="A <script> tag in a story, typed by accident.")
        write_reflection(
            author=cls.people.bob,
            organisation=cls.people.riverside,
            version=cls.version,
            session_date=TODAY,
            what_happened="Bob's garden session, with beans and an allotment.",
        )
        reflection_refresh_search_text(reflections=Reflection.objects.all())

    def found(self, query: str) -> set[int]:
        response = self.people.client_for(self.people.alice).get(URL, {"q": query})
        assert response.status_code == 200
        return {row.reflection.pk for row in response.context["rows"]}

    def before(self, query: str) -> set[int]:
        alices = Reflection.objects.filter(author=self.people.alice)
        return set(previous_search(alices, query).values_list("pk", flat=True))

    def test_every_query_finds_what_it_found_before(self) -> None:
        queries = [*QUERIES, *(POSTGRES_QUERIES if connection.vendor == "postgresql" else [])]
        for query in queries:
            with self.subTest(query=query):
                assert self.found(query) == self.before(query)

    def test_the_table_is_not_trivial(self) -> None:
        assert len(self.found("garden")) == 3
        assert len(self.found("garden beans")) == 1
        assert len(self.found("allotment")) == 1
        assert self.found("zebra") == set()

    def test_an_empty_search_lists_every_own_reflection(self) -> None:
        assert len(self.found("")) == Reflection.objects.filter(author=self.people.alice).count()

    def test_words_split_between_the_text_and_the_evidence_are_found_together(self) -> None:
        """The one change: "canal garden" is in no single text of the reflection."""
        assert self.found("canal garden") == {self.across.pk}
        assert self.before("canal garden") == (
            set() if connection.vendor == "postgresql" else {self.across.pk}
        )

    @unittest.skipUnless(connection.vendor == "postgresql", "stemming and phrases")
    def test_stemming_and_phrases_work_as_before(self) -> None:
        assert len(self.found("walks")) == 2
        assert len(self.found('"community garden"')) == 1
        assert self.found('"garden community"') == set()
