"""My reflections: each filter, filters together, search, and bad filter values."""

from __future__ import annotations

import unittest
from datetime import date, timedelta

import time_machine
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from reflections.models import Reflection
from reflections.services import reflection_refresh_search_text
from tests.base import make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection

URL = reverse("reflections:list")
TODAY = date(2025, 6, 15)


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestFilters(TestCase):
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

        cls.recent = write(
            5,
            person_label="J",
            presence={"accepting": 3, "reciprocal": 0},
            chains=[("accepting", "others_safe_trusted_like_me", "self_expression")],
            what_happened="We walked to the community garden and planted beans.",
            bring_to_supervision=True,
        )
        cls.chained_only = write(
            40,
            person_label="R",
            presence={"reciprocal": 0},
            chains=[("reciprocal", "others_can_be_effective", "hopefulness")],
            what_happened="Shared a little of my story when R asked.",
        )
        cls.observed = write(
            120,
            person_label="J",
            presence={"available": 1},
            observations=["knowledge_and_skills"],
            learning="Boundaries are easier set early.",
            status=Reflection.Status.DRAFT,
        )
        cls.old = write(
            400,
            person_label="W",
            presence={"empowering": 2},
            chains=[("empowering", "mentalisation", "self_expression")],
            was_hard="W asked for my personal number.",
        )
        # Bob's reflection matches every filter Alice uses: it must never appear for her.
        write_reflection(
            author=cls.people.bob,
            organisation=cls.people.riverside,
            version=cls.version,
            session_date=TODAY - timedelta(days=5),
            person_label="J",
            presence={"accepting": 3},
            chains=[("accepting", "others_safe_trusted_like_me", "self_expression")],
            what_happened="Bob also walked to the community garden.",
            bring_to_supervision=True,
        )

    def setUp(self) -> None:
        self.alice = self.people.client_for(self.people.alice)

    def listed(self, **params: str) -> list[Reflection]:
        response = self.alice.get(URL, params)
        assert response.status_code == 200
        return [row.reflection for row in response.context["rows"]]

    def test_without_filters_every_own_reflection_is_listed_newest_first(self) -> None:
        assert self.listed() == [self.recent, self.chained_only, self.observed, self.old]

    def test_quick_periods_count_back_from_today(self) -> None:
        assert self.listed(period="30d") == [self.recent]
        assert self.listed(period="3m") == [self.recent, self.chained_only]
        assert self.listed(period="12m") == [self.recent, self.chained_only, self.observed]

    def test_dates_narrow_to_sessions_between_them_inclusive(self) -> None:
        start = (TODAY - timedelta(days=120)).isoformat()
        end = (TODAY - timedelta(days=40)).isoformat()
        assert self.listed(date_from=start, date_to=end) == [self.chained_only, self.observed]
        assert self.listed(date_to=end) == [self.chained_only, self.observed, self.old]

    def test_dates_replace_the_quick_period(self) -> None:
        start = (TODAY - timedelta(days=500)).isoformat()
        assert self.listed(period="30d", date_from=start) == [
            self.recent,
            self.chained_only,
            self.observed,
            self.old,
        ]

    def test_a_context_matches_when_rated_present_or_used_in_a_chain(self) -> None:
        assert self.listed(context="accepting") == [self.recent]
        # Reciprocal was rated "not present" but used in a chain.
        assert self.listed(context="reciprocal") == [self.chained_only]
        # Rated "a little present" counts as present.
        assert self.listed(context="available") == [self.observed]

    def test_a_mechanism_matches_reflections_with_a_chain_through_it(self) -> None:
        assert self.listed(mechanism="mentalisation") == [self.old]
        assert self.listed(mechanism="i_can_be_effective") == []

    def test_an_outcome_domain_matches_a_chain_ending_there_or_an_observation(self) -> None:
        assert self.listed(domain="self_expression") == [self.recent, self.old]
        assert self.listed(domain="knowledge_and_skills") == [self.observed]

    def test_person_label_supervision_and_status_each_narrow_the_list(self) -> None:
        assert self.listed(person="J") == [self.recent, self.observed]
        assert self.listed(supervision="on") == [self.recent]
        assert self.listed(status="draft") == [self.observed]
        assert self.listed(status="submitted") == [self.recent, self.chained_only, self.old]

    def test_filters_combine(self) -> None:
        assert self.listed(person="J", status="submitted") == [self.recent]
        assert self.listed(person="J", domain="knowledge_and_skills", period="12m") == [
            self.observed
        ]
        assert self.listed(context="accepting", mechanism="mentalisation") == []

    def test_the_person_choices_are_only_alices_own_labels(self) -> None:
        response = self.alice.get(URL)
        choices = [value for value, _label in response.context["form"].fields["person"].choices]
        assert choices == ["", "J", "R", "W"]

    def test_the_filter_panel_opens_when_a_filter_is_in_use(self) -> None:
        assert 'list-filters__more" open' not in self.alice.get(URL).content.decode()
        assert 'list-filters__more" open' in self.alice.get(URL, {"person": "J"}).content.decode()


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestSearch(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        common = {
            "author": cls.people.alice,
            "organisation": cls.people.riverside,
            "version": cls.version,
        }
        cls.garden = write_reflection(
            **common,  # type: ignore[arg-type]
            session_date=TODAY - timedelta(days=1),
            what_happened="We walked to the Community Garden and planted beans together.",
        )
        cls.boundaries = write_reflection(
            **common,  # type: ignore[arg-type]
            session_date=TODAY - timedelta(days=2),
            learning="Set boundaries early; the garden can wait.",
        )
        cls.chain_text = write_reflection(
            **common,  # type: ignore[arg-type]
            session_date=TODAY - timedelta(days=3),
            chains=[("accepting", "others_safe_trusted_like_me", "self_expression")],
        )
        chain = cls.chain_text.chains.get()
        chain.description = "Being patient let them talk about the allotment."
        chain.save()
        reflection_refresh_search_text(
            reflections=Reflection.objects.filter(pk=chain.reflection_id)
        )
        write_reflection(
            author=cls.people.bob,
            organisation=cls.people.riverside,
            version=cls.version,
            session_date=TODAY,
            what_happened="Bob's garden session.",
        )

    def setUp(self) -> None:
        self.alice = self.people.client_for(self.people.alice)

    def search(self, query: str, **params: str) -> list[Reflection]:
        response = self.alice.get(URL, {"q": query, **params})
        assert response.status_code == 200
        return [row.reflection for row in response.context["rows"]]

    def test_a_word_finds_it_in_any_free_text_field_of_own_reflections_only(self) -> None:
        assert set(self.search("garden")) == {self.garden, self.boundaries}

    def test_search_ignores_case(self) -> None:
        assert set(self.search("GARDEN")) == {self.garden, self.boundaries}

    def test_every_word_must_match(self) -> None:
        assert self.search("garden beans") == [self.garden]

    def test_chain_descriptions_are_searched_too(self) -> None:
        assert self.search("allotment") == [self.chain_text]

    def test_search_combines_with_filters(self) -> None:
        start = (TODAY - timedelta(days=1)).isoformat()
        assert self.search("garden", date_from=start) == [self.garden]

    def test_the_snippet_marks_the_words_found(self) -> None:
        html = self.alice.get(URL, {"q": "beans"}).content.decode()
        assert "<mark>beans</mark>" in html

    def test_markup_in_the_search_is_escaped_never_run(self) -> None:
        query = '<script>alert("x")</script>'
        response = self.alice.get(URL, {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html  # kept in the search box, escaped

    def test_nothing_found_says_so_and_offers_the_full_list(self) -> None:
        response = self.alice.get(URL, {"q": "zebra"})
        assert response.context["rows"] == []
        assert "Nothing matches" in response.content.decode()


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL full-text search")
@time_machine.travel(date(2025, 6, 15), tick=False)
class TestPostgresFullTextSearch(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        common = {
            "author": cls.people.alice,
            "organisation": cls.people.riverside,
            "version": cls.version,
        }
        cls.walking = write_reflection(
            **common,  # type: ignore[arg-type]
            session_date=TODAY - timedelta(days=2),
            what_happened="Walking by the canal; we talked about walking more, and kept walking.",
        )
        cls.walked = write_reflection(
            **common,  # type: ignore[arg-type]
            session_date=TODAY - timedelta(days=1),
            learning="We walked; it helped.",
            how_i_felt="Calm.",
        )
        cls.hospital = write_reflection(
            **common,  # type: ignore[arg-type]
            session_date=TODAY,
            what_happened="A ward visit.",
        )

    def search(self, query: str) -> list[Reflection]:
        response = self.people.client_for(self.people.alice).get(URL, {"q": query})
        assert response.status_code == 200
        return [row.reflection for row in response.context["rows"]]

    def test_stemming_finds_other_forms_of_a_word(self) -> None:
        assert set(self.search("walks")) == {self.walking, self.walked}

    def test_web_search_syntax_excludes_words_and_never_fails(self) -> None:
        assert self.search("walk -canal") == [self.walked]
        for awkward in ('"unclosed', "a & | ! (", "-", "''"):
            self.search(awkward)

    def test_the_most_relevant_come_first(self) -> None:
        """The canal reflection says "walking" three times, the other "walked" once."""
        assert self.search("walking canal") == [self.walking]
        assert self.search("walk")[0] == self.walking


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestBadFilterValues(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        cls.mine = write_reflection(
            author=cls.people.alice,
            organisation=cls.people.riverside,
            version=cls.version,
            session_date=TODAY,
            person_label="J",
            status=Reflection.Status.DRAFT,
        )
        write_reflection(
            author=cls.people.bob,
            organisation=cls.people.riverside,
            version=cls.version,
            session_date=TODAY,
            person_label="Bobs",
        )

    def setUp(self) -> None:
        self.alice = self.people.client_for(self.people.alice)

    def assert_error(self, params: dict[str, str], field: str) -> None:
        response = self.alice.get(URL, params)
        assert response.status_code == 200, params
        form = response.context["form"]
        assert field in form.errors, (params, form.errors)
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert 'aria-invalid="true"' in html
        # The list still renders, with every other filter applied.
        assert [row.reflection for row in response.context["rows"]] == [self.mine]

    def test_an_unknown_context_mechanism_or_domain_is_an_error_not_a_crash(self) -> None:
        self.assert_error({"context": "no-such-context", "status": "draft"}, "context")
        self.assert_error({"mechanism": "999", "status": "draft"}, "mechanism")
        self.assert_error({"domain": "<b>x</b>", "status": "draft"}, "domain")
        self.assert_error({"status": "deleted", "person": "J"}, "status")

    def test_another_persons_label_is_not_a_choice(self) -> None:
        self.assert_error({"person": "Bobs", "status": "draft"}, "person")

    def test_impossible_dates_are_errors(self) -> None:
        self.assert_error({"date_from": "2025-02-30", "status": "draft"}, "date_from")
        self.assert_error({"date_to": "tomorrow", "status": "draft"}, "date_to")
        self.assert_error({"date_from": "99999-01-01", "status": "draft"}, "date_from")

    def test_an_end_before_the_start_is_an_error_and_the_start_still_applies(self) -> None:
        self.assert_error(
            {"date_from": TODAY.isoformat(), "date_to": "2025-01-01", "status": "draft"},
            "date_to",
        )

    def test_an_unknown_period_is_an_error(self) -> None:
        self.assert_error({"period": "forever", "status": "draft"}, "period")

    def test_an_over_long_search_is_an_error_and_is_not_run(self) -> None:
        self.assert_error({"q": "garden " * 40, "status": "draft"}, "q")

    def test_a_null_character_in_the_search_is_an_error(self) -> None:
        self.assert_error({"q": "gar\x00den", "status": "draft"}, "q")

    def test_htmx_shows_the_errors_in_the_results_region(self) -> None:
        response = self.alice.get(URL, {"context": "nope"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert 'href="#id_context"' in html
