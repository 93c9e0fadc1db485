"""The guided steps: each shows, saves and moves on; bad input gives field errors, never a 500,
and nothing else the worker typed is lost."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from framework.models import Mechanism
from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection
from tests.reflections.flow_support import (
    OneDraftTestCase,
    action_rows,
    chain_rows,
    context,
    domain,
    draft,
    mechanism,
    step_data,
    step_url,
)

HTMX = {"HX-Request": "true"}
SCRIPT = '<script>alert("x")</script>'


class StepTestCase(OneDraftTestCase):
    def post(self, step: str, **overrides: Any) -> Any:
        return self.client.post(
            step_url(self.reflection, step), step_data(step, self.reflection, **overrides)
        )

    def assert_unchanged(self) -> None:
        assert Reflection.objects.get(pk=self.reflection.pk).revision == 1


class StepPagesTests(StepTestCase):
    def test_every_step_shows_its_form_with_the_progress_and_the_revision(self) -> None:
        for number, step in enumerate(
            ["session", "story", "contexts", "chains", "outcomes", "unintended", "next-steps"],
            start=1,
        ):
            with self.subTest(step=step):
                response = self.client.get(step_url(self.reflection, step))
                assert response.status_code == 200
                html = response.content.decode()
                assert f"Step {number} of 8" in html
                assert f'href="{step_url(self.reflection, step)}" data-hx-get' in html
                assert 'aria-current="step"' in html
                assert 'name="revision" value="1"' in html
                assert f'action="{step_url(self.reflection, step)}"' in html
                assert (
                    reverse("reflections:autosave", kwargs={"pk": self.reflection.pk, "step": step})
                    in html
                )

    def test_an_unknown_step_is_a_404(self) -> None:
        assert self.client.get(step_url(self.reflection, "feelings")).status_code == 404

    def test_steps_answer_get_and_post_only(self) -> None:
        assert self.client.put(step_url(self.reflection, "story")).status_code == 405
        assert self.client.delete(step_url(self.reflection, "story")).status_code == 405

    def test_another_persons_draft_is_a_404(self) -> None:
        for user in (self.p.bob, self.p.sam, self.p.tara, self.p.olive, self.p.omar):
            client = self.p.client_for(user)
            with self.subTest(user=user.username):
                assert client.get(step_url(self.reflection, "story")).status_code == 404
                response = client.post(
                    step_url(self.reflection, "story"),
                    step_data("story", self.reflection, what_happened="x"),
                )
                assert response.status_code == 404
        self.assert_unchanged()

    def test_a_visitor_is_sent_to_sign_in(self) -> None:
        response = self.p.client_for(None).get(step_url(self.reflection, "story"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_a_submitted_reflection_sends_the_author_to_its_page(self) -> None:
        Reflection.objects.filter(pk=self.reflection.pk).update(status=Reflection.Status.SUBMITTED)
        response = self.client.get(step_url(self.reflection, "story"))
        assert response.status_code == 302
        assert response["Location"] == self.reflection.get_absolute_url()
        response = self.client.post(
            step_url(self.reflection, "story"),
            step_data("story", self.reflection, what_happened="x"),
        )
        assert response["Location"] == self.reflection.get_absolute_url()
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == ""


class HtmxTests(StepTestCase):
    def test_htmx_gets_only_the_step_region_and_the_page_varies_on_it(self) -> None:
        response = self.client.get(step_url(self.reflection, "story"), headers=HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="flow"')
        assert "<html" not in html
        assert "HX-Request" in response["Vary"]
        full = self.client.get(step_url(self.reflection, "story"))
        assert "<html" in full.content.decode()
        assert "HX-Request" in full["Vary"]

    def test_an_htmx_save_redirects_to_the_next_step_which_htmx_follows(self) -> None:
        response = self.client.post(
            step_url(self.reflection, "story"),
            step_data("story", self.reflection, what_happened="Walked"),
            headers=HTMX,
        )
        assert response.status_code == 303
        assert response["Location"] == step_url(self.reflection, "contexts")

    def test_an_htmx_save_with_errors_re_renders_the_region_without_a_history_entry(self) -> None:
        response = self.client.post(
            step_url(self.reflection, "session"),
            step_data("session", self.reflection, session_date=""),
            headers=HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Push-Url"] == "false"
        assert "Enter the date of the session." in response.content.decode()

    def test_finishing_later_under_htmx_leaves_the_region_with_a_full_page_load(self) -> None:
        response = self.client.post(
            step_url(self.reflection, "story"),
            step_data("story", self.reflection, go="later"),
            headers=HTMX,
        )
        assert response["HX-Redirect"] == self.reflection.get_absolute_url()


class SessionStepTests(StepTestCase):
    def test_saving_the_session_goes_on_to_the_story(self) -> None:
        response = self.post(
            "session",
            session_date="2025-05-03",
            duration_minutes="45",
            setting="walk",
            contact_stage="first",
            person_label="J",
        )
        assert response.status_code == 303
        assert response["Location"] == step_url(self.reflection, "story")
        self.reflection.refresh_from_db()
        assert self.reflection.session_date == date(2025, 5, 3)
        assert (self.reflection.duration_minutes, self.reflection.setting) == (45, "walk")
        assert (self.reflection.contact_stage, self.reflection.person_label) == ("first", "J")
        assert self.reflection.revision == 2

    def test_a_british_date_is_accepted_too(self) -> None:
        self.post("session", session_date="03/05/2025")
        self.reflection.refresh_from_db()
        assert self.reflection.session_date == date(2025, 5, 3)

    def test_the_label_explains_why_never_a_name(self) -> None:
        html = self.client.get(step_url(self.reflection, "session")).content.decode()
        assert "never their name" in html
        assert 'aria-describedby="id_person_label_helptext"' in html

    def test_only_the_date_is_required(self) -> None:
        response = self.post("session", session_date="", person_label="K", duration_minutes="30")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Enter the date of the session." in html
        assert 'href="#id_session_date"' in html
        assert 'aria-invalid="true"' in html
        assert 'value="K"' in html
        assert 'value="30"' in html
        self.assert_unchanged()

    def test_a_future_date_is_refused(self) -> None:
        tomorrow = (date.today() + timedelta(days=3)).isoformat()
        response = self.post("session", session_date=tomorrow)
        assert "The date cannot be in the future." in response.content.decode()
        self.assert_unchanged()

    def test_wrong_types_and_lengths_are_field_errors(self) -> None:
        response = self.post(
            "session",
            session_date="yesterday",
            duration_minutes="an hour",
            setting="moon",
            person_label="Jennifer Smith",
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Enter a real date" in html
        assert "whole number of minutes" in html
        assert "Choose one of the options listed." in html
        assert "Keep the label to 12 characters." in html
        assert 'value="Jennifer Smith"' in html
        self.assert_unchanged()

    def test_too_long_a_session_is_refused(self) -> None:
        response = self.post("session", duration_minutes="601")
        assert "at most 600 minutes" in response.content.decode()
        self.assert_unchanged()


class StoryStepTests(StepTestCase):
    def test_the_story_is_saved(self) -> None:
        response = self.post(
            "story",
            what_happened="We walked",
            how_i_felt="Calm",
            went_well="Laughing",
            was_hard="Silence",
        )
        assert response["Location"] == step_url(self.reflection, "contexts")
        self.reflection.refresh_from_db()
        assert (self.reflection.what_happened, self.reflection.was_hard) == ("We walked", "Silence")

    def test_markup_is_kept_as_text_and_escaped_when_shown(self) -> None:
        self.post("story", what_happened=SCRIPT)
        self.reflection.refresh_from_db()
        assert self.reflection.what_happened == SCRIPT
        html = self.client.get(step_url(self.reflection, "story")).content.decode()
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    def test_too_long_an_answer_is_a_field_error_and_the_others_are_kept(self) -> None:
        response = self.post("story", what_happened="x" * 2001, went_well="Kept this")
        html = response.content.decode()
        assert "Please keep this to 2000 characters (it has 2001)." in html
        assert "Kept this" in html
        self.assert_unchanged()

    def test_windows_line_breaks_count_once(self) -> None:
        text = "a\r\n" * 1000  # the browser counted 2000 characters
        response = self.post("story", what_happened=text.strip())
        assert response.status_code == 303
        self.reflection.refresh_from_db()
        assert "\r" not in self.reflection.what_happened

    def test_a_null_character_is_a_field_error_not_a_500(self) -> None:
        response = self.post("story", what_happened="a\x00b")
        assert response.status_code == 200
        assert "Null characters are not allowed." in response.content.decode()

    def test_back_saves_and_goes_to_the_previous_step(self) -> None:
        response = self.post("story", what_happened="Saved on the way back", go="back")
        assert response["Location"] == step_url(self.reflection, "session")
        assert (
            Reflection.objects.get(pk=self.reflection.pk).what_happened == "Saved on the way back"
        )

    def test_finish_later_saves_and_goes_to_the_reflection(self) -> None:
        response = self.post("story", what_happened="Half done", go="later")
        assert response["Location"] == self.reflection.get_absolute_url()
        assert Reflection.objects.get(pk=self.reflection.pk).what_happened == "Half done"


class ContextsStepTests(StepTestCase):
    def test_each_context_shows_its_meaning_prompts_and_tensions(self) -> None:
        html = self.client.get(step_url(self.reflection, "contexts")).content.decode()
        for name in ("Accepting", "Personalised Practice", "Empowering", "Available", "Reciprocal"):
            assert f">{name}</legend>" in html
        accepting = context(self.version, "accepting")
        # The one-line meaning in view; the paper's summary one tap away, in the <details>.
        assert "They felt understood, valued and not judged." in html
        assert html.index("<details") < html.index(accepting.summary)
        assert accepting.prompts[0] in html
        # The paper's tensions: boundaries, whose need sharing serves, progress not effectiveness.
        assert "Available, but with boundaries" in html
        assert "Sharing lived experience: whose need does it meet?" in html
        assert "Effectiveness, or progress?" in html
        assert "<details" in html
        # The context's name is the scale's legend; its meaning describes the group.
        assert 'aria-describedby="ctx-accepting-meaning"' in html
        assert 'type="radio" name="ctx-accepting-presence" value="3"' in html

    def test_ratings_factors_and_evidence_are_saved(self) -> None:
        accepting = context(self.version, "accepting")
        factors = list(accepting.factors.order_by("order"))
        response = self.post(
            "contexts",
            **{
                "ctx-accepting-presence": "3",
                "ctx-accepting-factors": [str(factors[1].pk), str(factors[2].pk)],
                "ctx-accepting-evidence": "I said it made sense.",
            },
        )
        assert response["Location"] == step_url(self.reflection, "chains")
        rating = ContextRating.objects.get(reflection=self.reflection, context=accepting)
        assert rating.presence == 3
        assert set(rating.factors.all()) == {factors[1], factors[2]}
        assert rating.evidence == "I said it made sense."

    def test_a_factor_of_another_context_or_version_is_a_field_error(self) -> None:
        foreign = context(self.version, "reciprocal").factors.first()
        assert foreign is not None
        response = self.post(
            "contexts",
            **{"ctx-accepting-factors": [str(foreign.pk)], "ctx-accepting-evidence": "kept"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Choose one of the options listed." in html
        assert "kept" in html
        self.assert_unchanged()

    def test_a_presence_off_the_scale_is_a_field_error(self) -> None:
        response = self.post("contexts", **{"ctx-empowering-presence": "7"})
        assert "Choose one of the options listed." in response.content.decode()
        response = self.post("contexts", **{"ctx-empowering-presence": "lots"})
        assert "Choose one of the options listed." in response.content.decode()
        self.assert_unchanged()


class ChainsStepTests(StepTestCase):
    def row(self, **fields: Any) -> dict[str, Any]:
        base = {
            "id": "",
            "context": context(self.version, "accepting").pk,
            "mechanism": mechanism(self.version, "i_am_acceptable_or_worthwhile").pk,
            "outcome_domain": domain(self.version, "self_acceptance").pk,
            "description": "Because I was accepting, they opened up.",
            "confidence": "2",
        }
        return base | fields

    def test_an_empty_reflection_offers_one_blank_chain(self) -> None:
        html = self.client.get(step_url(self.reflection, "chains")).content.decode()
        assert 'name="chains-TOTAL_FORMS" value="1"' in html
        assert "What seemed to shift (1)" in html
        assert "Add another chain" in html

    def test_chains_are_saved_and_a_blank_row_is_ignored(self) -> None:
        data = step_data("chains", self.reflection) | chain_rows(
            [
                self.row(),
                {
                    "id": "",
                    "context": "",
                    "mechanism": "",
                    "outcome_domain": "",
                    "description": "",
                    "confidence": "2",
                },
            ]
        )
        response = self.client.post(step_url(self.reflection, "chains"), data)
        assert response["Location"] == step_url(self.reflection, "outcomes")
        (chain,) = Chain.objects.filter(reflection=self.reflection)
        assert chain.mechanism.key == "i_am_acceptable_or_worthwhile"
        assert chain.description == "Because I was accepting, they opened up."

    def test_save_and_finish_later_leaves_with_a_half_filled_chain_kept_in_the_draft(
        self,
    ) -> None:
        """Defect 2: "Save and finish later" always leaves, keeping what was chosen."""
        data = step_data("chains", self.reflection, go="later") | chain_rows(
            [self.row(mechanism="", outcome_domain="")]
        )
        response = self.client.post(step_url(self.reflection, "chains"), data)
        assert response.status_code == 302
        assert response["Location"] == self.reflection.get_absolute_url()
        self.reflection.refresh_from_db()
        assert [item["context"] for item in self.reflection.incomplete_chains] == [
            context(self.version, "accepting").pk
        ]
        assert not Chain.objects.filter(reflection=self.reflection).exists()

    def test_a_half_filled_chain_comes_back_on_the_chains_step(self) -> None:
        """Defect 3: leaving by the step numbers keeps the chain in the draft, not the browser."""
        data = step_data("chains", self.reflection) | chain_rows(
            [self.row(), self.row(mechanism="", outcome_domain="", description="Half a thought")]
        )
        self.client.post(step_url(self.reflection, "chains"), data)
        html = self.client.get(step_url(self.reflection, "chains")).content.decode()
        assert 'name="chains-TOTAL_FORMS" value="2"' in html
        assert "Half a thought" in html
        assert "Because I was accepting, they opened up." in html
        assert "Choose what seemed to shift for them." not in html

    def test_ids_of_another_version_or_of_nothing_are_field_errors(self) -> None:
        other = Mechanism.objects.exclude(version=self.version).first()
        stray_id = other.pk if other is not None else 99999
        data = step_data("chains", self.reflection) | chain_rows(
            [self.row(mechanism=stray_id, context="abc", outcome_domain="99999")]
        )
        response = self.client.post(step_url(self.reflection, "chains"), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("Choose one of the options listed.") >= 3
        self.assert_unchanged()

    def test_a_chain_of_another_persons_reflection_is_refused(self) -> None:
        bobs = draft(
            author=self.p.bob, organisation=self.p.riverside, version=self.version, chains=1
        )
        bobs_chain = Chain.objects.get(reflection=bobs)
        data = step_data("chains", self.reflection) | chain_rows(
            [self.row(id=bobs_chain.pk, description="mine now")]
        )
        response = self.client.post(step_url(self.reflection, "chains"), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "A row does not belong to this reflection." in html
        assert "mine now" in html
        assert Chain.objects.get(pk=bobs_chain.pk).description == "Chain 1"
        self.assert_unchanged()

    def test_a_tampered_row_count_is_an_error_not_a_500(self) -> None:
        data = step_data("chains", self.reflection) | {"chains-TOTAL_FORMS": "lots"}
        response = self.client.post(step_url(self.reflection, "chains"), data)
        assert response.status_code == 200
        assert (
            "ManagementForm data is missing or has been tampered with" in response.content.decode()
        )
        data = step_data("chains", self.reflection) | chain_rows([self.row()] * 13)
        response = self.client.post(step_url(self.reflection, "chains"), data)
        assert response.status_code == 200
        assert "Please submit at most 12 forms." in response.content.decode()
        self.assert_unchanged()

    def test_adding_a_chain_re_renders_with_one_more_row_without_saving(self) -> None:
        data = (
            step_data("chains", self.reflection)
            | chain_rows([self.row(description="typed")])
            | {"go": "add"}
        )
        html = self.client.post(step_url(self.reflection, "chains"), data).content.decode()
        assert 'name="chains-TOTAL_FORMS" value="2"' in html
        assert "typed" in html
        assert "What seemed to shift (2)" in html
        assert "Choose one of the options listed." not in html
        assert not Chain.objects.filter(reflection=self.reflection).exists()

    def test_removing_a_chain_re_renders_without_it(self) -> None:
        rows = [
            self.row(description="first row"),
            self.row(description="middle row"),
            self.row(description="third row"),
        ]
        data = step_data("chains", self.reflection) | chain_rows(rows) | {"go": "remove-1"}
        html = self.client.post(step_url(self.reflection, "chains"), data).content.decode()
        assert 'name="chains-TOTAL_FORMS" value="2"' in html
        assert "first row" in html
        assert "third row" in html
        assert "middle row" not in html

    def test_remove_with_a_nonsense_index_changes_nothing(self) -> None:
        data = (
            step_data("chains", self.reflection)
            | chain_rows([self.row(description="kept")])
            | {"go": "remove-x"}
        )
        response = self.client.post(step_url(self.reflection, "chains"), data)
        assert response.status_code == 200
        assert "kept" in response.content.decode()

    def test_the_links_the_evidence_makes_to_the_chosen_context_come_first_with_their_studies(
        self,
    ) -> None:
        data = (
            step_data("chains", self.reflection)
            | chain_rows(
                [
                    self.row(
                        mechanism="",
                        outcome_domain="",
                        context=context(self.version, "reciprocal").pk,
                    )
                ]
            )
            | {"go": "suggest"}
        )
        html = self.client.post(step_url(self.reflection, "chains"), data).content.decode()
        linked = html.index('<p class="tap-options__heading">Linked to Reciprocal in the studies')
        others = html.index('<p class="tap-options__heading">Other mechanisms')
        # The name alone is the option's label; the study count is a lighter line apart.
        assert (
            linked
            < html.index("<span>Others (like me) can be effective in their recovery</span>")
            < others
        )
        assert linked < html.index('<span class="tap-option__studies">') < others
        # Every mechanism stays selectable.
        for item in Mechanism.objects.filter(version=self.version):
            assert f'name="chains-0-mechanism" value="{item.pk}"' in html

    def test_the_options_partial_orders_one_row_for_htmx(self) -> None:
        url = reverse("reflections:chain_options", kwargs={"pk": self.reflection.pk})
        accepting = context(self.version, "accepting")
        response = self.client.get(
            url, {"row": "2", "chains-2-context": str(accepting.pk)}, headers=HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="chains-2-mechanism"' in html
        first_option = html.index("<span>I am acceptable or worthwhile</span>")
        assert first_option < html.index("Other mechanisms")
        assert "studies link this to Accepting</span>" in html

    def test_the_options_partial_refuses_a_bad_row(self) -> None:
        url = reverse("reflections:chain_options", kwargs={"pk": self.reflection.pk})
        assert self.client.get(url, {"row": "x"}).status_code == 404
        assert self.client.get(url, {"row": "99"}).status_code == 404
        assert self.p.client_for(self.p.bob).get(url, {"row": "0"}).status_code == 404

    def test_the_context_select_reorders_with_htmx_without_touching_the_history(self) -> None:
        html = self.client.get(step_url(self.reflection, "chains")).content.decode()
        assert (
            'data-hx-get="'
            + reverse("reflections:chain_options", kwargs={"pk": self.reflection.pk})
            in html
        )
        assert 'data-hx-target="#chains-0-options"' in html
        assert 'hx-push-url="false"' in html
        assert "Show suggestions for this context" in html

    def test_choosing_asks_htmx_for_the_three_choices_only_never_the_words_typed(self) -> None:
        """An htmx GET puts what it includes in the URL: the chain's words must not go there."""
        html = self.client.get(step_url(self.reflection, "chains")).content.decode()
        assert "data-hx-include=\"[name='chains-0-context'], [name='chains-0-mechanism'], " in html
        assert 'data-hx-include="#chains-0-row"' not in html

    def test_a_chosen_chain_reads_back_as_a_sentence(self) -> None:
        url = reverse("reflections:chain_options", kwargs={"pk": self.reflection.pk})
        row = self.row()
        html = self.client.get(
            url,
            {
                "row": "0",
                "chains-0-context": row["context"],
                "chains-0-mechanism": row["mechanism"],
                "chains-0-outcome_domain": row["outcome_domain"],
            },
            headers=HTMX,
        ).content.decode()
        assert (
            "Because I was Accepting, they seemed to feel “I am acceptable or worthwhile”, "
            "towards self-acceptance." in html
        )


class OutcomesStepTests(StepTestCase):
    def test_observations_are_saved_for_the_domains_noticed(self) -> None:
        Reflection.objects.filter(pk=self.reflection.pk)
        OutcomeObservation.objects.filter(reflection=self.reflection).delete()
        response = self.post(
            "outcomes",
            **{
                "outcome-hopefulness-noticed": "on",
                "outcome-hopefulness-observation": "Talked about college",
                "outcome-confidence-observation": "Made the call herself",
            },
        )
        assert response["Location"] == step_url(self.reflection, "unintended")
        rows = {
            row.domain.key: row.observation
            for row in OutcomeObservation.objects.filter(reflection=self.reflection)
        }
        assert rows == {
            "hopefulness": "Talked about college",
            "confidence": "Made the call herself",
        }

    def test_all_six_domains_are_offered(self) -> None:
        html = self.client.get(step_url(self.reflection, "outcomes")).content.decode()
        for name in (
            "Self-acceptance",
            "Confidence",
            "Hopefulness",
            "Self-expression",
            "Relationships",
            "Knowledge and skills",
        ):
            assert f">{name}</h2>" in html

    def test_too_long_an_observation_is_a_field_error(self) -> None:
        response = self.post("outcomes", **{"outcome-hopefulness-observation": "y" * 601})
        assert "Please keep this to 600 characters" in response.content.decode()
        self.assert_unchanged()


class UnintendedStepTests(StepTestCase):
    def test_the_step_names_the_papers_gap_gently_and_saves(self) -> None:
        html = self.client.get(step_url(self.reflection, "unintended")).content.decode()
        assert "its authors name that as a gap" in html
        response = self.post("unintended", unintended_effects="I talked too much about myself.")
        assert response["Location"] == step_url(self.reflection, "next-steps")
        assert (
            Reflection.objects.get(pk=self.reflection.pk).unintended_effects
            == "I talked too much about myself."
        )


class NextStepsTests(StepTestCase):
    def test_learning_actions_and_supervision_flag_are_saved_then_the_check_page(self) -> None:
        data = step_data(
            "next-steps", self.reflection, learning="Ask more", bring_to_supervision="on"
        ) | action_rows(
            [
                {"id": "", "text": "Find the art group times", "due_on": "2025-06-01"},
                {"id": "", "text": "", "due_on": ""},
            ]
        )
        response = self.client.post(step_url(self.reflection, "next-steps"), data)
        assert response["Location"] == reverse(
            "reflections:check", kwargs={"pk": self.reflection.pk}
        )
        self.reflection.refresh_from_db()
        assert (self.reflection.learning, self.reflection.bring_to_supervision) == (
            "Ask more",
            True,
        )
        (action,) = Action.objects.filter(reflection=self.reflection)
        assert (action.text, action.due_on) == ("Find the art group times", date(2025, 6, 1))

    def test_a_date_without_an_action_or_a_bad_date_is_a_field_error(self) -> None:
        data = step_data("next-steps", self.reflection, learning="kept") | action_rows(
            [
                {"id": "", "text": "", "due_on": "2025-06-01"},
                {"id": "", "text": "Call", "due_on": "soon"},
            ]
        )
        html = self.client.post(step_url(self.reflection, "next-steps"), data).content.decode()
        assert "Say what you will do, or clear the date." in html
        assert "Enter a real date" in html
        assert "kept" in html
        self.assert_unchanged()

    def test_adding_and_removing_actions_keeps_what_was_typed(self) -> None:
        data = step_data(
            "next-steps", self.reflection, learning="typed learning", bring_to_supervision="on"
        ) | action_rows(
            [{"id": "", "text": "one", "due_on": ""}, {"id": "", "text": "two", "due_on": ""}]
        )
        html = self.client.post(
            step_url(self.reflection, "next-steps"), data | {"go": "add"}
        ).content.decode()
        assert 'name="actions-TOTAL_FORMS" value="3"' in html
        assert "typed learning" in html
        assert 'id="id_bring_to_supervision" checked' in html
        html = self.client.post(
            step_url(self.reflection, "next-steps"), data | {"go": "remove-0"}
        ).content.decode()
        assert 'name="actions-TOTAL_FORMS" value="1"' in html
        assert 'value="two"' in html
        assert 'value="one"' not in html
        assert not Action.objects.filter(reflection=self.reflection).exists()
