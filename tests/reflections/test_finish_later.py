"""Issue 11: "Save and finish later" always leaves, even with an answer that is not valid yet.

The valid answers are saved; an invalid one (a date in the future, say) is kept in the draft as
typed (Reflection.unsent_answers, beside the unfinished chains) and comes back, as typed, with
its message beside the field. Saving the field valid clears it; submitting waits for it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reflections.models import Chain, ContextRating, Reflection
from reflections.services import UNSENT_ANSWERS
from tests.reflections.flow_support import (
    OneDraftTestCase,
    step_data,
    step_url,
)
from tests.reflections.test_quick import QuickTestCase

HTMX = {"HX-Request": "true"}


def future() -> str:
    return (timezone.localdate() + timedelta(days=3)).isoformat()


class SessionStepFinishLaterTests(OneDraftTestCase):
    def later(self, **overrides: Any) -> Any:
        data = step_data("session", self.reflection, go="later") | overrides
        return self.client.post(step_url(self.reflection, "session"), data)

    def test_a_future_date_still_leaves_saving_the_valid_answers(self) -> None:
        before = Reflection.objects.get(pk=self.reflection.pk).session_date
        response = self.later(
            session_date=future(), duration_minutes="40", setting="walk", person_label="J"
        )
        assert response.status_code == 302
        assert response["Location"] == self.reflection.get_absolute_url()
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert saved.session_date == before
        assert (saved.duration_minutes, saved.setting, saved.person_label) == (40, "walk", "J")
        assert saved.unsent_answers == {"session_date": future()}
        assert saved.revision == 2

    def test_the_typed_date_comes_back_with_its_message_beside_the_field(self) -> None:
        self.later(session_date=future())
        html = self.client.get(step_url(self.reflection, "session")).content.decode()
        assert f'value="{future()}"' in html
        assert html.count("The date cannot be in the future.") == 2  # summary and field

    def test_a_date_that_is_not_a_date_is_kept_as_typed_too(self) -> None:
        self.later(session_date="31/02/2025x", duration_minutes="abc")
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert saved.unsent_answers == {"session_date": "31/02/2025x", "duration_minutes": "abc"}
        html = self.client.get(step_url(self.reflection, "session")).content.decode()
        assert 'value="abc"' in html
        assert escape("Enter a real date") in html

    def test_under_htmx_it_leaves_with_a_full_page_load(self) -> None:
        data = step_data("session", self.reflection, go="later", session_date=future())
        response = self.client.post(step_url(self.reflection, "session"), data, headers=HTMX)
        assert response["HX-Redirect"] == self.reflection.get_absolute_url()
        assert Reflection.objects.get(pk=self.reflection.pk).unsent_answers

    def test_continuing_with_an_invalid_date_still_stays_with_the_error(self) -> None:
        data = step_data("session", self.reflection, go="next", session_date=future())
        response = self.client.post(step_url(self.reflection, "session"), data)
        assert response.status_code == 200
        assert "The date cannot be in the future." in response.content.decode()
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert (saved.revision, saved.unsent_answers) == (1, {})

    def test_saving_the_date_correctly_clears_what_was_kept(self) -> None:
        self.later(session_date=future(), duration_minutes="40")
        data = step_data("session", self.reflection, session_date="2026-06-01")
        response = self.client.post(step_url(self.reflection, "session"), data)
        assert response.status_code == 303
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert saved.session_date == date(2026, 6, 1)
        assert saved.unsent_answers == {}
        html = self.client.get(step_url(self.reflection, "session")).content.decode()
        assert "The date cannot be in the future." not in html

    def test_another_step_saved_meanwhile_keeps_the_kept_date(self) -> None:
        self.later(session_date=future())
        data = step_data("story", self.reflection, what_happened="We talked.")
        self.client.post(step_url(self.reflection, "story"), data)
        assert Reflection.objects.get(pk=self.reflection.pk).unsent_answers == {
            "session_date": future()
        }

    def test_submitting_waits_until_the_kept_answer_is_corrected(self) -> None:
        self.later(session_date=future())
        Reflection.objects.filter(pk=self.reflection.pk).update(what_happened="We talked.")
        self.reflection.refresh_from_db()
        response = self.client.post(
            reverse("reflections:submit", kwargs={"pk": self.reflection.pk}),
            {"revision": str(self.reflection.revision)},
        )
        assert escape(str(UNSENT_ANSWERS)) in response.content.decode(), response
        assert Reflection.objects.get(pk=self.reflection.pk).status == Reflection.Status.DRAFT


class QuickFinishLaterTests(QuickTestCase):
    def data(self, **overrides: Any) -> dict[str, Any]:
        """The quick page's answers with a date in the future, sent with "finish later"."""
        later = {"session_date": future(), "what_happened": "We walked by the river."}
        return super().data(**(later | {"go": "later"} | overrides))

    def test_a_future_date_still_leaves_saving_everything_else(self) -> None:
        response = self.client.post(self.url(), self.data())
        assert response.status_code == 302
        assert response["Location"] == self.reflection.get_absolute_url()
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert saved.status == Reflection.Status.DRAFT
        assert saved.session_date == timezone.localdate()
        assert saved.what_happened == "We walked by the river."
        assert saved.learning == "Listening first helped."
        assert saved.unsent_answers == {"session_date": future()}
        assert ContextRating.objects.get(reflection=saved, context__key="accepting").presence == 3
        assert Chain.objects.filter(reflection=saved).count() == 1

    def test_the_typed_date_comes_back_with_its_message_on_the_quick_page(self) -> None:
        self.client.post(self.url(), self.data())
        html = self.client.get(self.url()).content.decode()
        assert f'value="{future()}"' in html
        assert html.count("The date cannot be in the future.") == 2  # summary and field
        assert "We walked by the river." in html

    def test_submitting_with_the_date_put_right_clears_it(self) -> None:
        self.client.post(self.url(), self.data())
        self.reflection.refresh_from_db()
        response = self.client.post(
            self.url(), self.data(session_date=timezone.localdate().isoformat(), go="submit")
        )
        assert response.status_code == 302
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert saved.status == Reflection.Status.SUBMITTED
        assert saved.unsent_answers == {}

    def test_submitting_with_the_date_still_wrong_stays_with_the_error(self) -> None:
        response = self.client.post(self.url(), self.data(go="submit"))
        assert response.status_code == 400
        assert Reflection.objects.get(pk=self.reflection.pk).revision == 1


class OtherStepsFinishLaterTests(OneDraftTestCase):
    def test_an_over_long_answer_on_the_story_step_leaves_and_is_kept_as_typed(self) -> None:
        too_long = "x" * 2001
        data = step_data("story", self.reflection, go="later", what_happened=too_long)
        data["how_i_felt"] = "Tired but glad."
        response = self.client.post(step_url(self.reflection, "story"), data)
        assert response["Location"] == self.reflection.get_absolute_url()
        saved = Reflection.objects.get(pk=self.reflection.pk)
        assert saved.how_i_felt == "Tired but glad."
        assert saved.unsent_answers == {"what_happened": too_long}
        html = self.client.get(step_url(self.reflection, "story")).content.decode()
        assert too_long in html
