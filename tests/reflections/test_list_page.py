"""My reflections: who sees what, rows, pagination and the htmx results region."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse

from reflections.models import Reflection
from tests.base import make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection

URL = reverse("reflections:list")
TODAY = date(2025, 6, 15)


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestWhoSeesWhat(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        people = cls.people
        cls.alice_draft = write_reflection(
            author=people.alice,
            organisation=people.riverside,
            version=cls.version,
            session_date=TODAY,
            status=Reflection.Status.DRAFT,
            what_happened="A draft about the allotment visit.",
        )
        cls.alice_submitted = write_reflection(
            author=people.alice,
            organisation=people.riverside,
            version=cls.version,
            session_date=TODAY - timedelta(days=3),
            what_happened="Alice's walk by the canal.",
            person_label="J",
            presence={"accepting": 3, "available": 1, "reciprocal": 0},
        )
        cls.bob_reflection = write_reflection(
            author=people.bob,
            organisation=people.riverside,
            version=cls.version,
            session_date=TODAY,
            what_happened="Bob's private session notes.",
        )

    def test_a_deactivated_worker_with_an_old_session_sees_none_of_her_reflections(self) -> None:
        """As in reflections.access: the reflections stay, but only an active member sees them."""
        write_reflection(
            author=self.people.dee,
            organisation=self.people.riverside,
            version=self.version,
            session_date=TODAY,
            what_happened="Dee's session before she left.",
        )
        response = self.people.client_for(self.people.dee).get(URL)
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert "before she left" not in response.content.decode()

    def test_an_anonymous_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_alice_sees_her_drafts_and_submitted_reflections_newest_first_and_marked(self) -> None:
        response = self.people.client_for(self.people.alice).get(URL)
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [row.reflection for row in rows] == [self.alice_draft, self.alice_submitted]
        html = response.content.decode()
        assert "badge--draft" in html
        assert "badge--submitted" in html
        assert self.alice_draft.get_absolute_url() in html

    def test_a_submitted_reflection_reopened_for_amendment_stays_listed_and_says_so(self) -> None:
        Reflection.objects.filter(pk=self.alice_submitted.pk).update(
            amendment_base={"what_happened": "before"}
        )
        response = self.people.client_for(self.people.alice).get(URL, {"status": "submitted"})
        assert [row.reflection for row in response.context["rows"]] == [self.alice_submitted]
        assert "Being amended" in response.content.decode()

    def test_alice_never_sees_bobs_reflections_whatever_she_asks_for(self) -> None:
        client = self.people.client_for(self.people.alice)
        for query in ("", "?q=Bob", "?status=submitted", f"?page=1&person={'J'}"):
            response = client.get(URL + query)
            assert response.status_code == 200
            assert "Bob&#x27;s private" not in response.content.decode()
            assert self.bob_reflection not in [row.reflection for row in response.context["rows"]]

    def test_a_supervisor_without_reflections_is_told_the_page_is_for_peer_workers(self) -> None:
        response = self.people.client_for(self.people.sam).get(URL)
        assert response.status_code == 200
        assert response.context["rows"] == [], "none of their workers' reflections"
        html = response.content.decode()
        assert "This page is for peer workers" in html
        assert "No reflections yet" not in html

    def test_a_trainer_without_reflections_sees_an_empty_list(self) -> None:
        response = self.people.client_for(self.people.tara).get(URL)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0

    def test_a_row_shows_the_contexts_present_as_coloured_badges_and_a_snippet(self) -> None:
        response = self.people.client_for(self.people.alice).get(URL)
        html = response.content.decode()
        row = response.context["rows"][1]
        assert [rating.context.key for rating in row.present_ratings] == ["accepting", "available"]
        assert 'class="badge badge--context context--accepting"' in html
        assert "context--reciprocal" not in html  # rated 0: not present, so no badge
        assert "Alice&#x27;s walk by the canal." in html
        assert "· J" in html

    def test_posting_is_not_allowed(self) -> None:
        response = self.people.client_for(self.people.alice).post(URL)
        assert response.status_code == 405

    def test_htmx_gets_only_the_results_region(self) -> None:
        response = self.people.client_for(self.people.alice).get(
            URL, {"status": "draft"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert 'class="results-summary"' in html
        assert 'class="list-filters"' not in html
        assert "HX-Request" in response["Vary"]
        assert [row.reflection for row in response.context["rows"]] == [self.alice_draft]

    def test_an_htmx_history_restore_gets_the_whole_page(self) -> None:
        response = self.people.client_for(self.people.alice).get(
            URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        assert "<html" in response.content.decode()

    def test_the_list_still_renders_when_no_framework_version_is_current(self) -> None:
        """The filter choices come from the framework; the list itself does not need it."""
        self.version.is_current = False
        self.version.save(update_fields=["is_current"])
        response = self.people.client_for(self.people.alice).get(URL, {"context": "accepting"})
        assert response.status_code == 200
        assert "context" in response.context["form"].errors
        assert len(response.context["rows"]) == 2


@time_machine.travel(date(2025, 6, 15), tick=False)
class TestPagination(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        for day in range(45):
            write_reflection(
                author=cls.people.alice,
                organisation=cls.people.riverside,
                version=cls.version,
                session_date=TODAY - timedelta(days=day),
                person_label="J" if day % 2 else "R",
            )

    def setUp(self) -> None:
        self.alice = self.people.client_for(self.people.alice)

    def test_twenty_to_a_page_and_the_last_page_holds_the_rest(self) -> None:
        first = self.alice.get(URL)
        assert len(first.context["rows"]) == 20
        assert first.context["rows"][0].reflection.session_date == TODAY
        last = self.alice.get(URL, {"page": 3})
        assert len(last.context["rows"]) == 5
        assert last.context["rows"][-1].reflection.session_date == TODAY - timedelta(days=44)

    def test_page_links_keep_the_filters(self) -> None:
        response = self.alice.get(URL, {"person": "J", "status": "submitted"})
        assert response.context["page"].paginator.count == 22
        html = response.content.decode()
        assert 'href="?person=J&amp;status=submitted&amp;page=2"' in html
        second = self.alice.get(URL, {"person": "J", "status": "submitted", "page": 2})
        assert len(second.context["rows"]) == 2
        assert all(row.reflection.person_label == "J" for row in second.context["rows"])
        assert 'href="?person=J&amp;status=submitted&amp;page=1"' in second.content.decode()

    def test_a_page_past_the_end_shows_the_last_page(self) -> None:
        for number in ("4", "999999999999999999999", "0", "-1"):
            response = self.alice.get(URL, {"page": number})
            assert response.status_code == 200
            assert response.context["page"].number == 3

    def test_a_page_that_is_not_a_number_shows_the_first_page(self) -> None:
        for number in ("abc", "1.5", "", "1e3"):
            response = self.alice.get(URL, {"page": number})
            assert response.status_code == 200
            assert response.context["page"].number == 1
