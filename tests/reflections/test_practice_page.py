"""My practice: the maps, the month chart, co-occurrence, blind spots, periods and privacy."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import time_machine
from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from reflections import selectors
from reflections.models import Reflection
from tests.base import make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection

URL = reverse("reflections:practice")
TODAY = date(2025, 6, 15)
ACCEPTABLE = "i_am_acceptable_or_worthwhile"


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestPracticePage(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        people, version = cls.people, cls.version

        def write(day: date, **fields: object) -> Reflection:
            return write_reflection(
                author=people.alice,
                organisation=people.riverside,
                version=version,
                session_date=day,
                **fields,  # type: ignore[arg-type]
            )

        # Two in May, one in June: Accepting and Available together twice.
        write(
            date(2025, 5, 2),
            presence={"accepting": 3, "available": 2, "reciprocal": 0},
            chains=[("accepting", ACCEPTABLE, "self_acceptance")],
        )
        write(
            date(2025, 5, 20),
            presence={"accepting": 2, "available": 3, "empowering": 1},
            chains=[
                ("accepting", ACCEPTABLE, "self_acceptance"),
                ("available", "others_safe_trusted_like_me", "self_expression"),
            ],
        )
        write(
            date(2025, 6, 10),
            presence={"accepting": 1, "reciprocal": 2},
            chains=[("reciprocal", "others_can_be_effective", "hopefulness")],
        )
        # Eight months ago: outside the default six months.
        write(
            date(2024, 10, 5),
            presence={"personalised_practice": 3},
            chains=[("personalised_practice", "mentalisation", "knowledge_and_skills")],
        )
        # A draft is not counted.
        write(
            date(2025, 6, 12),
            status=Reflection.Status.DRAFT,
            presence={"empowering": 3},
            chains=[("empowering", "i_can_be_effective", "confidence")],
        )
        # Bob's reflection is never part of Alice's practice.
        write_reflection(
            author=people.bob,
            organisation=people.riverside,
            version=version,
            session_date=date(2025, 6, 1),
            presence={"empowering": 3},
            chains=[("empowering", "mentalisation", "confidence")],
        )

    def setUp(self) -> None:
        self.alice = self.people.client_for(self.people.alice)

    def report(self, **params: str) -> object:
        response = self.alice.get(URL, params)
        assert response.status_code == 200
        return response.context["report"]

    def test_an_anonymous_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_posting_is_not_allowed(self) -> None:
        assert self.alice.post(URL).status_code == 405

    def test_it_draws_both_maps_the_month_chart_and_the_co_occurrence_matrix(self) -> None:
        html = self.alice.get(URL).content.decode()
        assert "My practice map: the links I recorded" in html
        assert "The APPEAR framework: contexts, mechanisms and outcome domains" in html
        assert "How present each context was, month by month" in html
        assert "Which contexts occur together" in html
        assert html.count("<svg") == 4
        # Every picture has its text alternative.
        assert html.count('class="diagram__text"') == 4

    def test_the_default_period_is_the_last_six_months_of_submitted_own_reflections(self) -> None:
        report = self.report()
        assert report.total == 3
        assert report.chains == 4
        assert [(month.label, month.reflections) for month in report.months] == [
            ("Jan 2025", 0),
            ("Feb 2025", 0),
            ("Mar 2025", 0),
            ("Apr 2025", 0),
            ("May 2025", 2),
            ("Jun 2025", 1),
        ]

    def test_my_map_counts_the_links_recorded_in_chains(self) -> None:
        html = self.alice.get(URL).content.decode()
        # Accepting → "I am acceptable" was recorded twice: the line's text alternative says so.
        assert "recorded 2 times" in html
        # Bob's and the draft's mechanisms never reach Alice's map.
        report = self.report()
        assert "recorded" in str(report.own_map)
        assert 'data-source="context-empowering"' not in str(report.own_map)

    def test_the_month_chart_averages_presence_per_context(self) -> None:
        html = self.alice.get(URL).content.decode()
        # Accepting: May (3 + 2) / 2 = 2.5, June 1; Available: May 2.5.
        assert "Accepting, May 2025: 2.5" in html
        assert "Accepting, Jun 2025: 1" in html
        assert "Available, May 2025: 2.5" in html

    def test_co_occurrence_counts_contexts_rated_present_together(self) -> None:
        report = self.report()
        assert report.together == [("Accepting", "Available", 2)]
        assert "Accepting × Available: 2" in str(report.matrix)

    def test_blind_spots_list_what_was_never_recorded_with_the_frameworks_prompts(self) -> None:
        report = self.report()
        assert [spot.entity.key for spot in report.context_spots] == ["personalised_practice"]
        assert "empowering" not in [spot.entity.key for spot in report.context_spots]
        mechanisms = [spot.entity.key for spot in report.mechanism_spots]
        assert "mentalisation" in mechanisms
        assert ACCEPTABLE not in mechanisms
        domains = [spot.entity.key for spot in report.domain_spots]
        assert "knowledge_and_skills" in domains
        html = self.alice.get(URL).content.decode()
        personalised = self.version.contexts.get(key="personalised_practice")
        assert personalised.prompts[0].replace("'", "&#x27;") in html
        tension = self.version.tensions.get(key="curiosity_and_not_knowing")
        assert "Tension: " + tension.name.replace("'", "&#x27;") in html
        assert tension.prompts[0].replace("'", "&#x27;") in html
        assert reverse("framework:context", kwargs={"key": "personalised_practice"}) in html
        assert "The paper cites no link to this domain yet" in html

    def test_a_longer_period_brings_older_reflections_in(self) -> None:
        report = self.report(period="12")
        assert report.total == 4
        assert "personalised_practice" not in [spot.entity.key for spot in report.context_spots]
        assert len(report.months) == 12

    def test_all_time_starts_at_the_first_reflection(self) -> None:
        report = self.report(period="all")
        assert report.total == 4
        assert report.months[0].label == "Oct 2024"

    def test_a_period_of_my_own_choosing(self) -> None:
        report = self.report(date_from="2025-05-01", date_to="2025-05-31")
        assert report.total == 2
        assert [month.label for month in report.months] == ["May 2025"]

    def test_a_bad_period_is_reported_and_the_default_is_shown(self) -> None:
        for params in (
            {"period": "forever"},
            {"date_from": "2025-02-30", "date_to": "2025-03-01"},
            {"date_from": "2025-05-01"},
            {"date_from": "2025-06-01", "date_to": "2025-05-01"},
            {"date_from": "1900-01-01", "date_to": "2025-05-01"},
        ):
            response = self.alice.get(URL, params)
            assert response.status_code == 200, params
            assert response.context["form"].errors, params
            assert response.context["report"].total == 3, params
            assert 'class="error-summary"' in response.content.decode()

    def test_htmx_gets_only_the_practice_body(self) -> None:
        response = self.alice.get(URL, {"period": "12"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert "<html" not in html
        assert "My practice map" in html
        assert 'class="practice-period' not in html
        assert "HX-Request" in response["Vary"]


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestEmptyAndUnusualStates(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def test_no_reflections_is_a_friendly_page_with_the_evidence_map(self) -> None:
        response = self.people.client_for(self.people.bob).get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert "No submitted reflections in this period" in html
        assert "The APPEAR framework: contexts, mechanisms and outcome domains" in html
        assert "Blind spots" not in html
        assert response.context["report"].context_spots == []

    def test_only_drafts_still_count_as_empty_and_point_at_the_drafts(self) -> None:
        write_reflection(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY,
            status=Reflection.Status.DRAFT,
            presence={"accepting": 3},
        )
        html = self.people.client_for(self.people.alice).get(URL).content.decode()
        assert "No submitted reflections in this period" in html
        assert reverse("reflections:list") + "?status=draft" in html

    def test_a_deactivated_worker_with_an_old_session_sees_an_empty_practice(self) -> None:
        write_reflection(
            author=self.people.dee,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY,
            presence={"accepting": 3},
            chains=[("accepting", ACCEPTABLE, "self_acceptance")],
        )
        response = self.people.client_for(self.people.dee).get(URL)
        assert response.status_code == 200
        assert response.context["report"].total == 0

    def test_without_a_loaded_framework_the_page_says_so(self) -> None:
        FrameworkVersion.objects.update(is_current=False)
        response = self.people.client_for(self.people.alice).get(URL)
        assert response.status_code == 503

    def test_reflections_on_an_older_version_are_mapped_by_key_onto_the_current_one(self) -> None:
        write_reflection(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY - timedelta(days=3),
            presence={"reciprocal": 3},
            chains=[("reciprocal", "others_can_be_effective", "hopefulness")],
        )
        changed = copy.deepcopy(framework_data_read(settings.FRAMEWORK_DATA_FILE))
        changed["project"]["version_label"] = "2026.1"
        changed["contexts"][4]["name"] = "Reciprocal (renamed)"
        newer = framework_load(data=changed).version
        write_reflection(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=newer,
            session_date=TODAY,
            presence={"reciprocal": 1},
            chains=[("reciprocal", "others_can_be_effective", "hopefulness")],
        )

        response = self.people.client_for(self.people.alice).get(URL)

        report = response.context["report"]
        assert report.total == 2
        assert report.older_version == 1
        assert report.chains == 2
        own_map = str(report.own_map)
        assert "Reciprocal (renamed)" in own_map
        assert "recorded 2 times" in own_map
        html = response.content.decode()
        assert "written against an earlier version of the framework" in html
        assert "Reciprocal (renamed), Jun 2025: 2" in html


class TestPracticeRows(TestCase):
    """The aggregated rows My practice is drawn from, straight from the selector."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()

    def rows(self) -> selectors.PracticeRows:
        return selectors.practice_rows(
            user=self.people.alice,
            start=None,
            end=TODAY,
            version=self.version,
            entities=selectors.framework_entities(version=self.version),
        )

    def write(self, **fields: object) -> Reflection:
        return write_reflection(
            author=self.people.alice,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY,
            **fields,  # type: ignore[arg-type]
        )

    def test_reach_counts_each_reflection_once_per_context_mechanism_and_domain(self) -> None:
        # Rated present and chained twice: one reflection for Accepting, for the mechanism
        # and for self-acceptance (also observed).
        self.write(
            presence={"accepting": 2},
            chains=[
                ("accepting", ACCEPTABLE, "self_acceptance"),
                ("accepting", ACCEPTABLE, "self_acceptance"),
            ],
            observations=["self_acceptance"],
        )
        # Chained without being rated present: still a reflection that recorded Reciprocal.
        self.write(
            presence={"reciprocal": 0},
            chains=[("reciprocal", ACCEPTABLE, "hopefulness")],
        )
        # Observed without a chain.
        self.write(presence={"available": 1}, observations=["knowledge_and_skills"])

        rows = self.rows()

        assert rows.total == 3
        assert rows.context_reach == {
            "accepting": 1,
            "personalised_practice": 0,
            "empowering": 0,
            "available": 1,
            "reciprocal": 1,
        }
        assert rows.mechanism_reach[ACCEPTABLE] == 2
        assert rows.mechanism_reach["mentalisation"] == 0
        assert rows.domain_reach["self_acceptance"] == 1
        assert rows.domain_reach["hopefulness"] == 1
        assert rows.domain_reach["knowledge_and_skills"] == 1
        assert rows.domain_reach["confidence"] == 0

    def test_pairs_keep_each_unordered_pair_once_with_the_diagonal(self) -> None:
        self.write(presence={"accepting": 3, "available": 2, "reciprocal": 1})
        self.write(presence={"available": 3, "accepting": 2})
        pairs = {(pair.first, pair.second): pair.count for pair in self.rows().pairs}
        assert pairs == {
            ("accepting", "accepting"): 2,
            ("accepting", "available"): 2,
            ("available", "available"): 2,
        }
