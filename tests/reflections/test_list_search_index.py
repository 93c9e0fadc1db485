"""On PostgreSQL, My reflections and its search start from the worker's own rows.

The table is filled in bulk (INSERT … SELECT over generate_series, for many authors, then
ANALYZE) so the planner sees a large table with statistics, as in production: with a few
rows it would scan them sequentially whatever the indexes. Every query the page runs for a
worker, with a search and with each filter, must read the reflections through an index and
never hash a filter over the whole database.
"""

from __future__ import annotations

import unittest
from datetime import date
from typing import ClassVar

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, User
from framework.models import FrameworkVersion
from reflections import selectors
from reflections.models import Reflection
from tests.base import Personas, make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection

OTHER_AUTHORS = 120
EACH = 400  # 48,000 by others, too many authors for the statistics to single Alice out
ALICES = 10


def plan(sql: str, params: tuple[object, ...] | list[object] | None) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@unittest.skipUnless(connection.vendor == "postgresql", "the plan is PostgreSQL's")
class TestSearchPlan(TestCase):
    people: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        for day in range(1, ALICES + 1):
            write_reflection(
                author=cls.people.alice,
                organisation=cls.people.riverside,
                version=cls.version,
                session_date=date(2025, 5, day),
                presence={"accepting": 2},
                chains=[("accepting", "i_am_acceptable_or_worthwhile", "self_acceptance")],
                what_happened="We listened to the radio and walked.",
                person_label="J",
            )
        others = User.objects.bulk_create(
            User(username=f"bulk{n}", email=f"bulk{n}@example.org") for n in range(OTHER_AUTHORS)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=cls.people.riverside, is_peer_worker=True)
            for user in others
        )
        accepting = cls.version.contexts.get(key="accepting")
        acceptable = cls.version.mechanisms.get(key="i_am_acceptable_or_worthwhile")
        self_acceptance = cls.version.outcome_domains.get(key="self_acceptance")
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO reflections_reflection (
                    author_id, organisation_id, framework_version_id, status, revision,
                    session_date, setting, contact_stage, person_label, what_happened,
                    how_i_felt, went_well, was_hard, unintended_effects, learning,
                    bring_to_supervision, created_at, updated_at, privacy_confirmed,
                    incomplete_chains, unsent_answers, evidence_text)
                SELECT u.id, %s, %s, 'submitted', 1, DATE '2025-06-01' - (g %% 900), '', '',
                    'J', 'I listened while they talked about the week.', '', '', '', '', '',
                    false, now(), now(), '[]', '[]', '{}', 'Listened and reflected back.'
                FROM accounts_user u CROSS JOIN generate_series(1, %s) g
                WHERE u.username LIKE 'bulk%%'
                """,
                [cls.people.riverside.pk, cls.version.pk, EACH],
            )
            cursor.execute(
                """
                INSERT INTO reflections_contextrating (reflection_id, context_id, presence, evidence)
                SELECT id, %s, 2, 'Listened.' FROM reflections_reflection WHERE author_id <> %s
                """,
                [accepting.pk, cls.people.alice.pk],
            )
            cursor.execute(
                """
                INSERT INTO reflections_chain (
                    reflection_id, "order", context_id, mechanism_id, outcome_domain_id,
                    description, confidence)
                SELECT id, 1, %s, %s, %s, 'They talked.', 2 FROM reflections_reflection
                WHERE author_id <> %s
                """,
                [accepting.pk, acceptable.pk, self_acceptance.pk, cls.people.alice.pk],
            )
            cursor.execute("ANALYZE")

    def page_queries(self, **filters: str) -> list[str]:
        """The SQL of the queries that read reflections for Alice's page under `filters`,
        with the person labels of its filter form."""
        wanted = selectors.ListFilters(**filters)  # type: ignore[arg-type]
        with CaptureQueriesContext(connection) as captured:
            assert selectors.person_labels(user=self.people.alice) == ["J"]
            listing = selectors.reflection_list_page(
                user=self.people.alice, filters=wanted, number=1, per_page=20
            )
        assert listing.rows
        return [query["sql"] for query in captured.captured_queries]

    def test_the_table_is_large_and_alice_has_ten(self) -> None:
        assert Reflection.objects.count() == OTHER_AUTHORS * EACH + ALICES
        assert Reflection.objects.filter(author=self.people.alice).count() == ALICES

    def test_the_search_vector_is_a_stored_weighted_column_indexed_with_the_author(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'reflection_author_search'"
            )
            row = cursor.fetchone()
        assert row is not None
        assert "gin" in row[0].lower()
        assert "search_vector" in row[0]
        stored = Reflection.objects.filter(author=self.people.alice).values_list(
            "search_vector", flat=True
        )[0]
        assert "'listen':2A" in stored  # the reflection's own text weighs A

    def test_no_query_of_the_page_scans_the_reflections_or_hashes_a_filter(self) -> None:
        cases: list[dict[str, str]] = [
            {},
            {"query": "listened"},
            {"query": "listened", "context": "accepting"},
            {"query": "radio walked", "status": "submitted"},
            {"context": "accepting"},
            {"query": "listened", "mechanism": "i_am_acceptable_or_worthwhile"},
            {"query": "listened", "domain": "self_acceptance"},
        ]
        for filters in cases:
            for sql in self.page_queries(**filters):
                if "reflections_reflection" not in sql:
                    continue
                explained = plan(sql, None)
                with self.subTest(filters=filters, sql=sql[:80]):
                    assert "Seq Scan on reflections_reflection" not in explained, explained
                    assert "Seq Scan on reflections_contextrating" not in explained, explained
                    assert "Seq Scan on reflections_chain" not in explained, explained
                    assert "hashed SubPlan" not in explained, explained
