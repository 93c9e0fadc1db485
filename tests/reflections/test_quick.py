"""The quick reflection: one page from the dashboard, no JavaScript needed, the same rows as
the full steps."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from reflections.models import Chain, ContextRating, Reflection
from tests.reflections.flow_support import OneDraftTestCase, context, domain, mechanism


class QuickTestCase(OneDraftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reflection = Reflection.objects.create(
            author=self.p.alice, organisation=self.p.riverside, framework_version=self.version
        )

    def url(self) -> str:
        return reverse("reflections:quick", kwargs={"pk": self.reflection.pk})

    def data(self, **overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "revision": str(self.reflection.revision),
            "session_date": timezone.localdate().isoformat(),
            "what_happened": "We walked by the river. They talked about the week.",
            "ctx-accepting-presence": "3",
            "ctx-empowering-presence": "2",
            "chains-TOTAL_FORMS": "1",
            "chains-INITIAL_FORMS": "0",
            "chains-0-id": "",
            "chains-0-context": str(context(self.version, "accepting").pk),
            "chains-0-mechanism": str(mechanism(self.version, "i_am_acceptable_or_worthwhile").pk),
            "chains-0-outcome_domain": str(domain(self.version, "self_acceptance").pk),
            "learning": "Listening first helped.",
            "go": "submit",
        }
        return values | overrides


class QuickReflectionTests(QuickTestCase):
    def test_the_dashboard_offers_the_quick_reflection_as_its_main_action(self) -> None:
        html = self.client.get(reverse("home")).content.decode()
        assert 'name="path" value="quick" class="button button--large"' in html
        assert "Continue your draft" in html

    def test_the_quick_button_starts_a_draft_and_opens_the_one_page(self) -> None:
        response = self.client.post(reverse("reflections:start"), {"path": "quick"})
        newest = Reflection.objects.latest("pk")
        assert response.status_code == 303
        assert response["Location"] == reverse("reflections:quick", kwargs={"pk": newest.pk})

    def test_the_page_holds_the_date_what_happened_five_ratings_one_chain_and_learning(
        self,
    ) -> None:
        html = self.client.get(self.url()).content.decode()
        assert 'name="session_date"' in html
        assert 'name="what_happened"' in html
        for key in ("accepting", "personalised_practice", "empowering", "available", "reciprocal"):
            assert f'name="ctx-{key}-presence"' in html
        assert 'name="chains-TOTAL_FORMS" value="1"' in html
        assert 'name="learning"' in html
        # A plain form: it posts to itself, and every choice is a real input.
        assert f'action="{self.url()}"' in html

    def test_submitting_makes_the_same_rows_as_the_full_steps(self) -> None:
        response = self.client.post(self.url(), self.data())
        assert response["Location"] == f"{self.reflection.get_absolute_url()}?submitted=1"
        self.reflection.refresh_from_db()
        assert self.reflection.status == Reflection.Status.SUBMITTED
        assert self.reflection.learning == "Listening first helped."
        ratings = {
            r.context.key: r.presence
            for r in ContextRating.objects.filter(reflection=self.reflection)
        }
        assert ratings == {"accepting": 3, "empowering": 2}
        (chain,) = Chain.objects.filter(reflection=self.reflection)
        assert (chain.context.key, chain.mechanism.key, chain.outcome_domain.key) == (
            "accepting",
            "i_am_acceptable_or_worthwhile",
            "self_acceptance",
        )

    def test_more_saves_and_opens_the_check_page_with_every_step_a_tap_away(self) -> None:
        response = self.client.post(self.url(), self.data(go="more"))
        assert response["Location"] == reverse(
            "reflections:check", kwargs={"pk": self.reflection.pk}
        )
        self.reflection.refresh_from_db()
        assert self.reflection.status == Reflection.Status.DRAFT
        assert self.reflection.what_happened.startswith("We walked")

    def test_without_javascript_show_suggestions_saves_and_comes_back_to_the_chain(self) -> None:
        data = self.data(go="suggest", **{"chains-0-mechanism": "", "chains-0-outcome_domain": ""})
        response = self.client.post(self.url(), data)
        assert response.status_code == 303
        assert response["Location"] == f"{self.url()}#chains-0-row"
        html = self.client.get(self.url()).content.decode()
        assert "Linked to Accepting in the studies" in html

    def test_a_bad_date_is_a_message_beside_the_field_and_nothing_typed_is_lost(self) -> None:
        response = self.client.post(self.url(), self.data(session_date="31/02/2025x"))
        assert response.status_code == 400
        html = response.content.decode()
        assert "Enter a real date" in html
        assert "We walked by the river." in html
        assert Reflection.objects.get(pk=self.reflection.pk).revision == 1

    def test_an_empty_quick_reflection_is_not_submitted(self) -> None:
        data = self.data(
            what_happened="",
            learning="",
            **{
                "ctx-accepting-presence": "",
                "ctx-empowering-presence": "",
                "chains-0-context": "",
                "chains-0-mechanism": "",
                "chains-0-outcome_domain": "",
            },
        )
        response = self.client.post(self.url(), data)
        assert response.status_code == 400
        assert "There is nothing to submit yet." in response.content.decode()
        self.reflection.refresh_from_db()
        assert self.reflection.status == Reflection.Status.DRAFT

    def test_a_name_goes_to_the_privacy_check_before_anything_is_submitted(self) -> None:
        response = self.client.post(self.url(), self.data(what_happened="Dave came in."))
        assert response["Location"] == reverse(
            "reflections:privacy", kwargs={"pk": self.reflection.pk}
        )
        self.reflection.refresh_from_db()
        assert self.reflection.status == Reflection.Status.DRAFT
        assert self.reflection.what_happened == "Dave came in."

    def test_a_stale_page_shows_the_answers_and_saves_nothing(self) -> None:
        response = self.client.post(self.url(), self.data(revision="0"))
        assert response.status_code == 409
        assert "changed in another tab" in response.content.decode()
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == ""
