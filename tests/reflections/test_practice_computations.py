"""The computations behind My practice, on plain rows (no database)."""

from __future__ import annotations

from datetime import date

from django.test import SimpleTestCase

from reflections import practice
from reflections.practice import ChainCount, Entity, EvidenceRoute, PairCount, PresenceRow

CONTEXTS = [Entity("accepting", "Accepting"), Entity("available", "Available")]
MECHANISMS = [Entity("safe", "Others are safe"), Entity("progress", "I can make progress")]
DOMAINS = [Entity("expression", "Self-expression"), Entity("confidence", "Confidence")]


class TestMonths(SimpleTestCase):
    def test_adding_months_keeps_the_day_inside_the_target_month(self) -> None:
        assert practice.add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
        assert practice.add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
        assert practice.add_months(date(2025, 1, 15), -2) == date(2024, 11, 15)
        assert practice.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)

    def test_month_starts_cover_every_month_touched_inclusive(self) -> None:
        assert practice.month_starts(date(2024, 11, 20), date(2025, 2, 3)) == [
            date(2024, 11, 1),
            date(2024, 12, 1),
            date(2025, 1, 1),
            date(2025, 2, 1),
        ]

    def test_month_starts_are_empty_when_the_end_is_before_the_start(self) -> None:
        assert practice.month_starts(date(2025, 3, 1), date(2025, 1, 1)) == []


class TestPracticeMap(SimpleTestCase):
    def test_it_counts_each_box_and_link_by_the_chains_through_it(self) -> None:
        result = practice.practice_map(
            chain_counts=[
                ChainCount("accepting", "safe", "expression", 3),
                ChainCount("available", "safe", "expression", 2),
                ChainCount("accepting", "progress", "confidence", 1),
            ],
            contexts=CONTEXTS,
            mechanisms=MECHANISMS,
            domains=DOMAINS,
        )
        assert result.contexts == {"accepting": 4, "available": 2}
        assert result.mechanisms == {"safe": 5, "progress": 1}
        assert result.domains == {"expression": 5, "confidence": 1}
        assert result.context_mechanism == {
            ("accepting", "safe"): 3,
            ("available", "safe"): 2,
            ("accepting", "progress"): 1,
        }
        assert result.mechanism_domain == {("safe", "expression"): 5, ("progress", "confidence"): 1}
        assert result.chains == 6
        assert result.unmapped == 0

    def test_a_key_the_current_framework_lacks_is_counted_as_unmapped_not_drawn(self) -> None:
        result = practice.practice_map(
            chain_counts=[
                ChainCount("retired_context", "safe", "expression", 2),
                ChainCount("accepting", "safe", "expression", 1),
            ],
            contexts=CONTEXTS,
            mechanisms=MECHANISMS,
            domains=DOMAINS,
        )
        assert result.unmapped == 2
        assert result.chains == 1
        assert result.mechanisms["safe"] == 1

    def test_the_diagram_draws_every_box_and_only_recorded_lines(self) -> None:
        result = practice.practice_map(
            chain_counts=[ChainCount("accepting", "safe", "expression", 3)],
            contexts=CONTEXTS,
            mechanisms=MECHANISMS,
            domains=DOMAINS,
        )
        diagram = practice.practice_diagram(
            practice=result, contexts=CONTEXTS, mechanisms=MECHANISMS, domains=DOMAINS
        )
        assert [[node.key for node in column] for column in diagram.columns] == [
            ["context-accepting", "context-available"],
            ["mechanism-safe", "mechanism-progress"],
            ["domain-expression", "domain-confidence"],
        ]
        assert [(edge.source, edge.target, edge.weight) for edge in diagram.edges] == [
            ("context-accepting", "mechanism-safe", 3),
            ("mechanism-safe", "domain-expression", 3),
        ]
        weights = {node.key: node.weight for column in diagram.columns for node in column}
        assert weights["context-accepting"] == 3
        assert weights["context-available"] == 0
        details = {node.key: node.detail for column in diagram.columns for node in column}
        assert details["context-available"] == "not recorded"
        assert details["mechanism-safe"] == "recorded 3 times"

    def test_unrecorded_evidence_links_are_the_cited_pairs_the_worker_never_chained(self) -> None:
        result = practice.practice_map(
            chain_counts=[ChainCount("accepting", "safe", "expression", 1)],
            contexts=CONTEXTS,
            mechanisms=MECHANISMS,
            domains=DOMAINS,
        )
        routes = [
            EvidenceRoute("accepting", "safe", "expression"),
            EvidenceRoute("available", "safe", "confidence"),
            EvidenceRoute("available", "safe", "expression"),
            EvidenceRoute("accepting", "progress", "confidence"),
        ]
        assert practice.unrecorded_evidence_links(routes=routes, practice=result) == [
            ("available", "safe"),
            ("accepting", "progress"),
        ]


class TestMonthlyPresence(SimpleTestCase):
    def test_it_averages_every_rating_of_a_month_and_leaves_empty_months_at_zero(self) -> None:
        months = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
        rows = [
            PresenceRow(date(2025, 1, 1), "accepting", total=5, count=2),
            # The same month and context again (an older framework version): merged, so the
            # average is over all four ratings, (5 + 7) / 4, not the mean of two averages.
            PresenceRow(date(2025, 1, 1), "accepting", total=7, count=2),
            PresenceRow(date(2025, 3, 1), "available", total=2, count=3),
            PresenceRow(date(2024, 12, 1), "available", total=3, count=1),  # outside: ignored
            PresenceRow(date(2025, 2, 1), "unknown", total=3, count=1),  # unknown key: ignored
        ]
        result = practice.monthly_presence(
            months=months, context_keys=["accepting", "available"], rows=rows
        )
        assert result == {"accepting": [3.0, 0.0, 0.0], "available": [0.0, 0.0, 0.67]}


class TestCoOccurrence(SimpleTestCase):
    def test_the_matrix_is_symmetric_with_single_contexts_on_the_diagonal(self) -> None:
        keys = ["accepting", "available", "reciprocal"]
        pairs = [
            PairCount("accepting", "accepting", 5),
            PairCount("available", "available", 3),
            PairCount("accepting", "available", 2),
            PairCount("reciprocal", "accepting", 1),  # either order is fine
            PairCount("accepting", "retired", 4),  # not in the framework: ignored
        ]
        assert practice.co_occurrence(keys=keys, pairs=pairs) == [
            [5.0, 2.0, 1.0],
            [2.0, 3.0, 0.0],
            [1.0, 0.0, 0.0],
        ]

    def test_the_strongest_pairs_leave_out_the_diagonal_and_come_most_frequent_first(self) -> None:
        keys = ["a", "b", "c"]
        matrix = [[9.0, 1.0, 4.0], [1.0, 9.0, 0.0], [4.0, 0.0, 9.0]]
        assert practice.strongest_pairs(keys=keys, matrix=matrix) == [("a", "c", 4), ("a", "b", 1)]


class TestBlindSpots(SimpleTestCase):
    def test_never_and_rarely_recorded_entities_are_blind_spots_least_first(self) -> None:
        entities = [Entity("a", "A"), Entity("b", "B"), Entity("c", "C"), Entity("d", "D")]
        prompts = {"a": [practice.PromptGroup("Questions", ["Why A?"])]}
        spots = practice.blind_spots(
            kind="context",
            entities=entities,
            counts={"a": 2, "b": 0, "c": 3, "d": 25},
            total=30,
            prompts=prompts,
        )
        # 2/30 and 0/30 are under a tenth; 3/30 is exactly a tenth, so not rare.
        assert [(spot.entity.key, spot.count) for spot in spots] == [("b", 0), ("a", 2)]
        assert spots[0].never
        assert spots[0].reach_text == "Not recorded in any of your 30 reflections in this period."
        assert spots[1].reach_text == "Recorded in 2 of your 30 reflections (7%)."
        assert spots[1].prompt_groups == prompts["a"]

    def test_there_are_no_blind_spots_without_reflections(self) -> None:
        spots = practice.blind_spots(
            kind="domain", entities=[Entity("a", "A")], counts={}, total=0, prompts={}
        )
        assert spots == []

    def test_mechanism_and_domain_prompts_name_the_contexts_the_evidence_links(self) -> None:
        routes = [
            EvidenceRoute("available", "safe", "expression"),
            EvidenceRoute("accepting", "safe", "expression"),
            EvidenceRoute("accepting", "progress", "confidence"),
        ]
        by_mechanism = practice.evidence_contexts_by(
            routes=routes, contexts=CONTEXTS, through="mechanism"
        )
        assert by_mechanism == {"safe": ["Accepting", "Available"], "progress": ["Accepting"]}
        prompts = practice.mechanism_prompts(MECHANISMS[0], by_mechanism["safe"])
        assert "Others are safe" in prompts[0]
        assert prompts[-1].startswith("In the evidence it comes through Accepting, Available.")

    def test_a_domain_without_cited_links_says_the_evidence_lacks_it(self) -> None:
        prompts = practice.domain_prompts(Entity("skills", "Knowledge and skills"), [])
        assert "Knowledge and skills" in prompts[0]
        assert "the evidence lacks" in prompts[-1]
