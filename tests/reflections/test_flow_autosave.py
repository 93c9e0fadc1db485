"""Drafts that save as the worker types, and two tabs that never overwrite each other."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from reflections.models import Chain, Reflection
from tests.reflections.flow_support import (
    OneDraftTestCase,
    chain_rows,
    context,
    domain,
    mechanism,
    step_data,
    step_url,
)


def autosave_url(reflection: Reflection, step: str) -> str:
    return reverse("reflections:autosave", kwargs={"pk": reflection.pk, "step": step})


class AutosaveTestCase(OneDraftTestCase):
    def autosave(self, step: str, client: Client | None = None, **overrides: Any) -> Any:
        return (client or self.client).post(
            autosave_url(self.reflection, step), step_data(step, self.reflection, **overrides)
        )


class AutosaveTests(AutosaveTestCase):
    def test_a_save_returns_the_new_revision_and_the_time(self) -> None:
        response = self.autosave("story", what_happened="Typed so far")
        assert response.status_code == 200
        answer = response.json()
        assert answer["saved"] is True
        assert answer["revision"] == 2
        assert len(answer["saved_at"]) == 5
        self.reflection.refresh_from_db()
        assert self.reflection.what_happened == "Typed so far"
        assert self.reflection.revision == 2
        assert self.reflection.status == Reflection.Status.DRAFT

    def test_new_rows_come_back_with_their_ids_so_the_next_save_updates_them(self) -> None:
        row = {
            "id": "",
            "context": context(self.version, "available").pk,
            "mechanism": mechanism(self.version, "others_safe_trusted_like_me").pk,
            "outcome_domain": domain(self.version, "self_expression").pk,
            "description": "first draft",
            "confidence": "1",
        }
        data = step_data("chains", self.reflection) | chain_rows([row])
        answer = self.client.post(autosave_url(self.reflection, "chains"), data).json()
        chain = Chain.objects.get(reflection=self.reflection)
        assert answer["row_ids"] == {"chains-0-id": chain.pk}
        data = step_data("chains", self.reflection) | chain_rows(
            [row | {"id": chain.pk, "description": "second draft"}]
        )
        assert self.client.post(autosave_url(self.reflection, "chains"), data).status_code == 200
        assert [c.description for c in Chain.objects.filter(reflection=self.reflection)] == [
            "second draft"
        ]

    def test_field_errors_come_back_as_json_and_nothing_is_saved(self) -> None:
        response = self.autosave("session", session_date="not a date", person_label="K")
        assert response.status_code == 200
        answer = response.json()
        assert answer["saved"] is False
        assert answer["errors"] == {"session_date": ["Enter a real date, for example 14/05/2025."]}
        assert answer["summary"] == [
            ["id_session_date", "Enter a real date, for example 14/05/2025."]
        ]
        self.reflection.refresh_from_db()
        assert (self.reflection.person_label, self.reflection.revision) == ("", 1)

    def test_a_row_error_is_keyed_by_its_input_name(self) -> None:
        row = {
            "id": "",
            "context": context(self.version, "available").pk,
            "mechanism": "999999",
            "outcome_domain": "",
            "description": "",
            "confidence": "2",
        }
        data = step_data("chains", self.reflection) | chain_rows([row])
        answer = self.client.post(autosave_url(self.reflection, "chains"), data).json()
        assert set(answer["errors"]) == {"chains-0-mechanism"}

    def test_a_chain_with_only_its_context_saves_without_an_error_and_is_kept_unfinished(
        self,
    ) -> None:
        """Defect 1: picking a context is no reason to show "Choose the outcome" in red."""
        row = {
            "id": "",
            "context": context(self.version, "available").pk,
            "mechanism": "",
            "outcome_domain": "",
            "description": "They came back",
            "confidence": "2",
        }
        data = step_data("chains", self.reflection) | chain_rows([row])
        answer = self.client.post(autosave_url(self.reflection, "chains"), data).json()
        assert answer["saved"] is True
        assert "errors" not in answer
        assert answer["row_ids"] == {"chains-0-id": None}
        self.reflection.refresh_from_db()
        assert not Chain.objects.filter(reflection=self.reflection).exists()
        assert self.reflection.incomplete_chains == [
            {
                "context": context(self.version, "available").pk,
                "mechanism": None,
                "outcome_domain": None,
                "description": "They came back",
                "confidence": 2,
            }
        ]

    def test_a_finished_chain_after_an_unfinished_one_names_its_own_row(self) -> None:
        unfinished = {"id": "", "context": context(self.version, "accepting").pk}
        finished = {
            "id": "",
            "context": context(self.version, "available").pk,
            "mechanism": mechanism(self.version, "others_safe_trusted_like_me").pk,
            "outcome_domain": domain(self.version, "self_expression").pk,
            "confidence": "2",
        }
        data = step_data("chains", self.reflection) | chain_rows([unfinished, finished])
        answer = self.client.post(autosave_url(self.reflection, "chains"), data).json()
        chain = Chain.objects.get(reflection=self.reflection)
        assert answer["row_ids"] == {"chains-0-id": None, "chains-1-id": chain.pk}

    def test_a_signed_out_worker_is_redirected_which_the_script_reads_as_signed_out(self) -> None:
        response = self.autosave("story", client=self.p.client_for(None), what_happened="x")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == ""

    def test_another_persons_draft_is_a_404(self) -> None:
        response = self.autosave("story", client=self.p.client_for(self.p.bob), what_happened="x")
        assert response.status_code == 404
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == ""

    def test_autosave_only_takes_posts(self) -> None:
        assert self.client.get(autosave_url(self.reflection, "story")).status_code == 405

    def test_an_unknown_step_is_a_404(self) -> None:
        assert self.client.post(autosave_url(self.reflection, "nope"), {}).status_code == 404

    def test_a_submitted_reflection_answers_409_with_a_way_to_it(self) -> None:
        Reflection.objects.filter(pk=self.reflection.pk).update(status=Reflection.Status.SUBMITTED)
        response = self.autosave("story", what_happened="late typing")
        html = response.content.decode()
        assert response.status_code == 409
        assert "This reflection was submitted somewhere else" in html
        assert self.reflection.get_absolute_url() in html
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == ""


class TwoTabsTests(AutosaveTestCase):
    """Two tabs editing one draft: the later save reports a conflict and both texts survive."""

    def test_the_later_autosave_gets_a_conflict_showing_both_texts(self) -> None:
        tab_a = self.p.client_for(self.p.alice)
        tab_b = self.p.client_for(self.p.alice)
        loaded = step_data("story", self.reflection)  # both tabs loaded revision 1
        first = tab_a.post(
            autosave_url(self.reflection, "story"), loaded | {"what_happened": "From tab A"}
        )
        assert first.status_code == 200
        later = tab_b.post(
            autosave_url(self.reflection, "story"), loaded | {"what_happened": "From tab B"}
        )
        html = later.content.decode()
        assert later.status_code == 409
        assert "This step was saved somewhere else" in html
        assert "From tab A" in html
        assert "From tab B" in html
        assert 'data-server-revision="2"' in html
        self.reflection.refresh_from_db()
        assert (self.reflection.what_happened, self.reflection.revision) == ("From tab A", 2)

        # Tab B chooses to keep its own text: it saves against the revision it has now seen.
        kept = tab_b.post(
            autosave_url(self.reflection, "story"),
            loaded | {"what_happened": "From tab B", "revision": "2"},
        )
        assert kept.status_code == 200
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == "From tab B"

    def test_the_later_page_save_re_renders_with_both_versions_and_keeps_what_was_typed(
        self,
    ) -> None:
        loaded = step_data("story", self.reflection)
        self.p.client_for(self.p.alice).post(
            autosave_url(self.reflection, "story"), loaded | {"what_happened": "From tab A"}
        )
        response = self.client.post(
            step_url(self.reflection, "story"),
            loaded | {"what_happened": "From tab B", "was_hard": "Also typed"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "This step was saved somewhere else" in html
        assert "From tab A" in html
        assert "From tab B</textarea>" in html
        assert "Also typed</textarea>" in html
        # The form now carries the server's revision: sending it again keeps this tab's text.
        assert 'name="revision" value="2"' in html
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == "From tab A"
        again = self.client.post(
            step_url(self.reflection, "story"),
            loaded
            | {
                "what_happened": "From tab B",
                "was_hard": "Also typed",
                "revision": "2",
                "go": "stay",
            },
        )
        assert again["Location"] == step_url(self.reflection, "story")
        self.reflection.refresh_from_db()
        assert (self.reflection.what_happened, self.reflection.was_hard) == (
            "From tab B",
            "Also typed",
        )

    def test_only_the_answers_that_differ_are_listed(self) -> None:
        loaded = step_data("story", self.reflection)
        self.p.client_for(self.p.alice).post(
            autosave_url(self.reflection, "story"), loaded | {"how_i_felt": "Tired"}
        )
        html = self.client.post(
            autosave_url(self.reflection, "story"), loaded | {"went_well": "Laughing"}
        ).content.decode()
        assert "How did I feel?" in html
        assert "What went well?" in html
        assert "What happened?" not in html

    def test_a_chain_conflict_is_described_in_words(self) -> None:
        row = {
            "id": "",
            "context": context(self.version, "reciprocal").pk,
            "mechanism": mechanism(self.version, "others_can_be_effective").pk,
            "outcome_domain": domain(self.version, "hopefulness").pk,
            "description": "",
            "confidence": "3",
        }
        loaded = step_data("chains", self.reflection)
        self.p.client_for(self.p.alice).post(
            autosave_url(self.reflection, "chains"), loaded | chain_rows([row])
        )
        html = self.client.post(
            autosave_url(self.reflection, "chains"),
            loaded | chain_rows([row | {"confidence": "1"}]),
        ).content.decode()
        assert "What seemed to shift (1): How sure am I?" in html
        assert "Sure" in html
        assert "Unsure" in html
