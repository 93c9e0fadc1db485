"""The PostgreSQL full-text index matches the search My reflections runs."""

from __future__ import annotations

import unittest
from datetime import date

from django.db import connection
from django.test import TestCase

from reflections import selectors
from reflections.models import Reflection
from tests.base import make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection


@unittest.skipUnless(connection.vendor == "postgresql", "the index exists only on PostgreSQL")
class TestSearchIndex(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        version = load_framework()
        write_reflection(
            author=cls.people.alice,
            organisation=cls.people.riverside,
            version=version,
            session_date=date(2025, 6, 1),
            what_happened="A walk to the garden.",
        )

    def test_the_index_exists(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'reflection_text_search'"
            )
            row = cursor.fetchone()
        assert row is not None
        assert "gin" in row[0].lower()

    def test_the_planner_can_use_it_for_the_search_expression(self) -> None:
        """With sequential scans discouraged, a matching expression is read from the index."""
        queryset, _ranked = selectors._search(Reflection.objects.all(), "walk")
        sql, params = queryset.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "reflection_text_search" in plan, plan
