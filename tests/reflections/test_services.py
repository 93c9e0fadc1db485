"""The reflection services, each checked by the database state it leaves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase

from accounts.models import AuditEvent
from framework.models import Context, FrameworkVersion, OutcomeDomain
from reflections import services
from reflections.flow_selectors import (
    reflection_snapshot,
    reflection_with_content,
    snapshot_content,
)
from reflections.models import (
    Action,
    Chain,
    ContextRating,
    OutcomeObservation,
    Reflection,
    ReflectionRevision,
)
from reflections.privacy import Kind, match_key
from reflections.services import (
    ActionInput,
    ChainInput,
    ConflictError,
    NotEditableError,
    ObservationInput,
    PrivacyCheckError,
    RatingInput,
    StepValues,
)
from reflections.steps import Step
from tests.base import Personas, make_personas
from tests.reflections.flow_support import context, domain, draft, load_framework, mechanism


class ServiceTestCase(TestCase):
    p: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.version = load_framework()

    def draft(self, **fields: Any) -> Reflection:
        return draft(
            author=self.p.alice, organisation=self.p.riverside, version=self.version, **fields
        )

    def save(
        self, reflection: Reflection, step: Step, values: StepValues, revision: int | None = None
    ) -> services.SaveResult:
        return services.reflection_save_step(
            reflection=reflection,
            by=self.p.alice,
            step=step,
            values=values,
            revision=reflection.revision if revision is None else revision,
        )


class ReflectionStartTests(ServiceTestCase):
    @time_machine.travel("2025-05-20 09:00 +01:00")
    def test_a_peer_worker_starts_a_draft_against_the_current_version_dated_today(self) -> None:
        reflection = services.reflection_start(by=self.p.alice, organisation=self.p.riverside)
        reflection.refresh_from_db()
        assert reflection.author == self.p.alice
        assert reflection.organisation == self.p.riverside
        assert reflection.framework_version == self.version
        assert reflection.status == Reflection.Status.DRAFT
        assert reflection.session_date == date(2025, 5, 20)
        assert reflection.revision == 1

    def test_only_a_peer_worker_of_that_organisation_can_start_one(self) -> None:
        for user, organisation in (
            (self.p.sam, self.p.riverside),
            (self.p.tara, self.p.riverside),
            (self.p.dee, self.p.riverside),
            (self.p.alice, self.p.hillside),
        ):
            with self.subTest(user=str(user)), pytest.raises(ValidationError):
                services.reflection_start(by=user, organisation=organisation)
        assert not Reflection.objects.exists()

    def test_nothing_can_be_started_before_the_framework_is_loaded(self) -> None:
        FrameworkVersion.objects.update(is_current=False)
        with pytest.raises(ValidationError):
            services.reflection_start(by=self.p.alice, organisation=self.p.riverside)


class SaveStepTests(ServiceTestCase):
    def test_saving_a_step_writes_its_fields_and_bumps_the_revision(self) -> None:
        reflection = self.draft()
        result = self.save(
            reflection,
            Step.SESSION,
            StepValues(
                fields={
                    "session_date": date(2025, 5, 1),
                    "duration_minutes": 50,
                    "setting": "walk",
                    "contact_stage": "early",
                    "person_label": "J",
                }
            ),
        )
        reflection.refresh_from_db()
        assert result.reflection.revision == reflection.revision == 2
        assert (reflection.session_date, reflection.duration_minutes, reflection.setting) == (
            date(2025, 5, 1),
            50,
            "walk",
        )
        assert (reflection.contact_stage, reflection.person_label) == ("early", "J")

    def test_a_stale_revision_is_a_conflict_carrying_the_servers_copy(self) -> None:
        """Two tabs load revision 1; the first saves; the second is told, and loses nothing."""
        reflection = self.draft()
        tab_a = Reflection.objects.get(pk=reflection.pk)
        tab_b = Reflection.objects.get(pk=reflection.pk)
        self.save(tab_a, Step.STORY, StepValues(fields={"what_happened": "Tab A's words"}))
        with pytest.raises(ConflictError) as raised:
            self.save(
                tab_b, Step.STORY, StepValues(fields={"what_happened": "Tab B's words"}), revision=1
            )
        assert raised.value.server.what_happened == "Tab A's words"
        assert raised.value.server.revision == 2
        reflection.refresh_from_db()
        assert reflection.what_happened == "Tab A's words"
        assert reflection.revision == 2

    def test_a_future_session_date_is_refused_and_nothing_changes(self) -> None:
        reflection = self.draft()
        tomorrow = date.today() + timedelta(days=2)
        with pytest.raises(ValidationError) as raised:
            self.save(reflection, Step.SESSION, StepValues(fields={"session_date": tomorrow}))
        assert "session_date" in raised.value.message_dict
        assert reflection.revision == 1
        reflection.refresh_from_db()
        assert (reflection.session_date, reflection.revision) == (date(2025, 5, 6), 1)

    def test_a_field_of_another_step_is_a_programming_error(self) -> None:
        reflection = self.draft()
        with pytest.raises(ValueError, match="status"):
            self.save(reflection, Step.STORY, StepValues(fields={"status": "submitted"}))

    def test_a_submitted_reflection_cannot_be_saved(self) -> None:
        reflection = self.draft(status=Reflection.Status.SUBMITTED)
        with pytest.raises(NotEditableError):
            self.save(reflection, Step.STORY, StepValues(fields={"was_hard": "x"}))

    def test_a_reflection_submitted_in_another_tab_is_not_editable_rather_than_a_conflict(
        self,
    ) -> None:
        reflection = self.draft()
        Reflection.objects.filter(pk=reflection.pk).update(
            status=Reflection.Status.SUBMITTED, revision=5
        )
        with pytest.raises(NotEditableError):
            self.save(reflection, Step.STORY, StepValues(fields={"was_hard": "x"}))

    def test_only_the_author_can_save(self) -> None:
        reflection = self.draft()
        with pytest.raises(ValidationError):
            services.reflection_save_step(
                reflection=reflection,
                by=self.p.bob,
                step=Step.STORY,
                values=StepValues(),
                revision=1,
            )

    def test_ratings_are_written_per_context_and_an_empty_one_is_removed(self) -> None:
        reflection = self.draft()
        accepting = context(self.version, "accepting")
        available = context(self.version, "available")
        factor = accepting.factors.order_by("order").last()
        assert factor is not None
        self.save(
            reflection,
            Step.CONTEXTS,
            StepValues(
                ratings=[
                    RatingInput(
                        context=accepting, presence=3, factors=[factor], evidence="I listened"
                    ),
                    RatingInput(context=available),
                ]
            ),
        )
        ratings = {r.context.key: r for r in ContextRating.objects.filter(reflection=reflection)}
        assert ratings["accepting"].presence == 3
        assert ratings["accepting"].evidence == "I listened"
        assert list(ratings["accepting"].factors.all()) == [factor]
        assert "available" not in ratings
        assert ratings["reciprocal"].presence == 2  # not sent, so left as it was

    def test_a_factor_of_another_context_is_refused(self) -> None:
        reflection = self.draft()
        accepting = context(self.version, "accepting")
        foreign = context(self.version, "reciprocal").factors.first()
        assert foreign is not None
        with pytest.raises(ValidationError):
            self.save(
                reflection,
                Step.CONTEXTS,
                StepValues(ratings=[RatingInput(context=accepting, factors=[foreign])]),
            )
        assert reflection.revision == 1

    def test_chains_are_updated_by_id_added_and_removed(self) -> None:
        reflection = self.draft(chains=3)
        first, _second, third = Chain.objects.filter(reflection=reflection)
        empowering = context(self.version, "empowering")
        progress = mechanism(self.version, "i_can_be_effective")
        confidence = domain(self.version, "confidence")
        result = self.save(
            reflection,
            Step.CHAINS,
            StepValues(
                chains=[
                    ChainInput(
                        id=third.pk,
                        context=empowering,
                        mechanism=progress,
                        outcome_domain=confidence,
                        description="moved up",
                    ),
                    ChainInput(
                        context=empowering,
                        mechanism=progress,
                        outcome_domain=confidence,
                        description="new",
                        confidence=3,
                    ),
                    ChainInput(
                        id=first.pk,
                        context=first.context,
                        mechanism=first.mechanism,
                        outcome_domain=first.outcome_domain,
                        description="kept",
                    ),
                ]
            ),
        )
        chains = list(Chain.objects.filter(reflection=reflection))
        assert [(c.description, c.order) for c in chains] == [
            ("moved up", 1),
            ("new", 2),
            ("kept", 3),
        ]
        assert chains[0].pk == third.pk
        assert chains[2].pk == first.pk
        assert chains[1].confidence == Chain.Confidence.SURE
        assert result.row_ids == {
            "chains-0-id": third.pk,
            "chains-1-id": chains[1].pk,
            "chains-2-id": first.pk,
        }

    def test_a_chain_id_of_another_reflection_is_refused_and_nothing_is_saved(self) -> None:
        reflection = self.draft(chains=1)
        bobs = draft(
            author=self.p.bob, organisation=self.p.riverside, version=self.version, chains=1
        )
        bobs_chain = Chain.objects.get(reflection=bobs)
        with pytest.raises(ValidationError):
            self.save(
                reflection,
                Step.CHAINS,
                StepValues(
                    chains=[
                        ChainInput(
                            id=bobs_chain.pk,
                            context=bobs_chain.context,
                            mechanism=bobs_chain.mechanism,
                            outcome_domain=bobs_chain.outcome_domain,
                            description="taken over",
                        )
                    ]
                ),
            )
        assert reflection.revision == 1
        assert Reflection.objects.get(pk=reflection.pk).revision == 1
        assert Chain.objects.get(pk=bobs_chain.pk).description == "Chain 1"
        assert Chain.objects.filter(reflection=reflection).count() == 1

    def test_a_chain_from_another_framework_version_is_refused(self) -> None:
        reflection = self.draft()
        other = FrameworkVersion.objects.create(
            label="other",
            content_hash="x" * 64,
            name="APPEAR",
            expansion="",
            summary="",
            citation="",
            doi_url="https://doi.org/x",
            licence_name="",
            licence_url="https://example.org",
            attribution="",
            changes_note="",
        )
        stray = Context.objects.create(
            version=other,
            key="accepting",
            order=1,
            letter="A",
            acronym_part="A",
            name="Accepting",
            papers_coded=1,
            figure=2,
        )
        with pytest.raises(ValidationError):
            self.save(
                reflection,
                Step.CHAINS,
                StepValues(
                    chains=[
                        ChainInput(
                            context=stray,
                            mechanism=mechanism(self.version, "i_can_be_effective"),
                            outcome_domain=domain(self.version, "confidence"),
                        )
                    ]
                ),
            )
        assert not Chain.objects.filter(reflection=reflection).exists()

    def test_observations_are_kept_per_domain(self) -> None:
        reflection = self.draft()
        hope = OutcomeDomain.objects.get(version=self.version, key="hopefulness")
        self.save(
            reflection,
            Step.OUTCOMES,
            StepValues(
                observations=[ObservationInput(domain=hope, observation="Talked about next year")]
            ),
        )
        rows = OutcomeObservation.objects.filter(reflection=reflection)
        assert [(row.domain.key, row.observation) for row in rows] == [
            ("hopefulness", "Talked about next year")
        ]

    def test_actions_keep_their_done_time_when_saved_again(self) -> None:
        reflection = self.draft(actions=2)
        first, second = Action.objects.filter(reflection=reflection)
        Action.objects.filter(pk=first.pk).update(done_at="2025-05-10T10:00:00Z")
        self.save(
            reflection,
            Step.NEXT_STEPS,
            StepValues(
                fields={"learning": "Slow down", "bring_to_supervision": True},
                actions=[
                    ActionInput(id=first.pk, text="Action 1, reworded", due_on=date(2025, 6, 1)),
                    ActionInput(text="A new one"),
                ],
            ),
        )
        actions = list(Action.objects.filter(reflection=reflection))
        assert [(a.text, a.order) for a in actions] == [("Action 1, reworded", 1), ("A new one", 2)]
        assert {action.author_id for action in actions} == {reflection.author_id}
        assert actions[0].done_at is not None
        assert actions[0].due_on == date(2025, 6, 1)
        assert not Action.objects.filter(pk=second.pk).exists()
        reflection.refresh_from_db()
        assert (reflection.learning, reflection.bring_to_supervision) == ("Slow down", True)


class SubmitTests(ServiceTestCase):
    def test_a_clean_draft_is_submitted(self) -> None:
        reflection = self.draft(what_happened="We walked and talked.")
        services.reflection_submit(reflection=reflection, by=self.p.alice, revision=1)
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED
        assert reflection.submitted_at is not None
        assert reflection.revision == 2
        assert not ReflectionRevision.objects.exists()

    def test_possible_identifying_details_stop_the_submission_until_confirmed(self) -> None:
        reflection = self.draft(what_happened="We read Mr Men together. Call 07700 900123.")
        with pytest.raises(PrivacyCheckError) as raised:
            services.reflection_submit(reflection=reflection, by=self.p.alice)
        assert [(m.kind, m.text) for m in raised.value.matches] == [
            (Kind.TITLED_NAME, "Mr Men"),
            (Kind.PHONE, "07700 900123"),
        ]
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.DRAFT
        assert reflection.privacy_confirmed == []

        confirm_title = match_key(Kind.TITLED_NAME, "Mr Men")
        with pytest.raises(PrivacyCheckError) as raised:
            services.reflection_submit(
                reflection=reflection, by=self.p.alice, confirmed=[confirm_title]
            )
        assert [m.text for m in raised.value.matches] == ["07700 900123"]
        assert Reflection.objects.get(pk=reflection.pk).status == Reflection.Status.DRAFT

        services.reflection_submit(
            reflection=reflection,
            by=self.p.alice,
            confirmed=[confirm_title, match_key(Kind.PHONE, "07700 900123"), "made-up"],
        )
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED
        assert sorted(reflection.privacy_confirmed) == sorted(
            [confirm_title, match_key(Kind.PHONE, "07700 900123")]
        )

    def test_a_stale_revision_is_a_conflict(self) -> None:
        reflection = self.draft()
        with pytest.raises(ConflictError):
            services.reflection_submit(reflection=reflection, by=self.p.alice, revision=0)
        assert Reflection.objects.get(pk=reflection.pk).status == Reflection.Status.DRAFT

    def test_a_submitted_reflection_cannot_be_submitted_again(self) -> None:
        reflection = self.draft(status=Reflection.Status.SUBMITTED)
        with pytest.raises(NotEditableError):
            services.reflection_submit(reflection=reflection, by=self.p.alice)


class AmendTests(ServiceTestCase):
    def submitted(self) -> Reflection:
        reflection = self.draft(what_happened="First telling", chains=1)
        services.reflection_submit(reflection=reflection, by=self.p.alice)
        return reflection

    def test_amending_reopens_with_the_content_kept_aside_and_stays_submitted(self) -> None:
        reflection = self.submitted()
        services.reflection_amend(reflection=reflection, by=self.p.alice)
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED
        assert reflection.is_amending
        assert reflection.is_editable
        assert reflection.amendment_base is not None
        assert reflection.amendment_base["what_happened"] == "First telling"
        assert reflection.revision == 3

    def test_submitting_an_amendment_files_the_previous_version_in_the_history(self) -> None:
        reflection = self.submitted()
        first_submitted = Reflection.objects.get(pk=reflection.pk).submitted_at
        services.reflection_amend(reflection=reflection, by=self.p.alice)
        self.save(reflection, Step.STORY, StepValues(fields={"what_happened": "Second telling"}))
        services.reflection_submit(reflection=reflection, by=self.p.alice)
        reflection.refresh_from_db()
        assert reflection.what_happened == "Second telling"
        assert reflection.amendment_base is None
        assert reflection.amended_at is not None
        assert reflection.submitted_at == first_submitted
        (old,) = ReflectionRevision.objects.filter(reflection=reflection)
        assert old.snapshot["what_happened"] == "First telling"
        assert old.snapshot["chains"][0]["description"] == "Chain 1"
        assert old.revision == 2

    def test_an_amendment_that_changes_nothing_leaves_no_history(self) -> None:
        reflection = self.submitted()
        services.reflection_amend(reflection=reflection, by=self.p.alice)
        services.reflection_submit(reflection=reflection, by=self.p.alice)
        reflection.refresh_from_db()
        assert not reflection.is_amending
        assert reflection.amended_at is None
        assert not ReflectionRevision.objects.exists()

    def test_an_amendment_begun_before_chains_kept_their_mechanism_key_changes_nothing(
        self,
    ) -> None:
        """A stored copy from before snapshots named each chain's mechanism key still matches
        the same content submitted unchanged, so no empty version is filed."""
        reflection = self.submitted()
        services.reflection_amend(reflection=reflection, by=self.p.alice)
        reflection.refresh_from_db()
        base = dict(reflection.amendment_base or {})
        base["chains"] = [
            {key: value for key, value in chain.items() if key != "mechanism_key"}
            for chain in base["chains"]
        ]
        Reflection.objects.filter(pk=reflection.pk).update(amendment_base=base)
        reflection.refresh_from_db()
        services.reflection_submit(reflection=reflection, by=self.p.alice)
        assert not ReflectionRevision.objects.exists()

    def test_two_amendments_keep_two_earlier_versions(self) -> None:
        reflection = self.submitted()
        for words in ("Second telling", "Third telling"):
            services.reflection_amend(reflection=reflection, by=self.p.alice)
            self.save(reflection, Step.STORY, StepValues(fields={"what_happened": words}))
            services.reflection_submit(reflection=reflection, by=self.p.alice)
        history = ReflectionRevision.objects.filter(reflection=reflection).order_by("revision")
        assert [old.snapshot["what_happened"] for old in history] == [
            "First telling",
            "Second telling",
        ]

    def test_a_draft_or_a_reopened_reflection_cannot_be_reopened(self) -> None:
        reflection = self.draft()
        with pytest.raises(NotEditableError):
            services.reflection_amend(reflection=reflection, by=self.p.alice)
        reflection = self.submitted()
        services.reflection_amend(reflection=reflection, by=self.p.alice)
        with pytest.raises(NotEditableError):
            services.reflection_amend(reflection=reflection, by=self.p.alice)


class DiscardAmendmentTests(ServiceTestCase):
    def reopened(self) -> Reflection:
        reflection = self.draft(what_happened="First telling", chains=2, actions=2)
        services.reflection_submit(reflection=reflection, by=self.p.alice)
        services.reflection_amend(reflection=reflection, by=self.p.alice)
        return reflection

    def content(self, reflection: Reflection) -> dict[str, Any]:
        fresh = Reflection.objects.select_related("framework_version").get(pk=reflection.pk)
        return snapshot_content(reflection_snapshot(reflection_with_content(reflection=fresh)))

    def test_discarding_puts_back_every_answer_as_submitted_and_files_no_history(self) -> None:
        reflection = self.reopened()
        submitted = self.content(reflection)
        self.save(reflection, Step.STORY, StepValues(fields={"what_happened": "Half rewritten"}))
        Chain.objects.filter(pk=Chain.objects.filter(reflection=reflection)[0].pk).delete()
        Action.objects.filter(reflection=reflection).update(text="Changed", due_on=None)
        rating = ContextRating.objects.filter(reflection=reflection).first()
        assert rating is not None
        rating.factors.clear()
        OutcomeObservation.objects.filter(reflection=reflection).update(observation="Other")
        assert self.content(reflection) != submitted

        services.reflection_discard_amendment(reflection=reflection, by=self.p.alice)

        assert self.content(reflection) == submitted
        reflection.refresh_from_db()
        assert not reflection.is_amending
        assert not reflection.is_editable
        assert reflection.amended_at is None
        assert not ReflectionRevision.objects.filter(reflection=reflection).exists()
        assert reflection.revision == 5  # submit, amend, one save, discard

    def test_only_a_reopened_reflection_by_its_author_can_be_discarded(self) -> None:
        with pytest.raises(NotEditableError):
            services.reflection_discard_amendment(reflection=self.draft(), by=self.p.alice)
        reflection = self.reopened()
        with pytest.raises(ValidationError):
            services.reflection_discard_amendment(reflection=reflection, by=self.p.bob)
        assert Reflection.objects.get(pk=reflection.pk).is_amending

    def test_a_stale_copy_of_the_reflection_still_discards_and_bumps_the_revision(
        self,
    ) -> None:
        reflection = self.reopened()
        stale = Reflection.objects.get(pk=reflection.pk)
        self.save(reflection, Step.STORY, StepValues(fields={"what_happened": "Other tab"}))
        services.reflection_discard_amendment(reflection=stale, by=self.p.alice)
        fresh = Reflection.objects.get(pk=reflection.pk)
        assert not fresh.is_amending
        assert fresh.what_happened == "First telling"
        assert fresh.revision == reflection.revision + 1

    def test_a_submit_that_landed_first_wins(self) -> None:
        reflection = self.reopened()
        stale = Reflection.objects.get(pk=reflection.pk)
        services.reflection_submit(reflection=reflection, by=self.p.alice)
        with pytest.raises(NotEditableError):
            services.reflection_discard_amendment(reflection=stale, by=self.p.alice)


class DeleteTests(ServiceTestCase):
    def test_deleting_a_draft_removes_it_and_its_rows_and_is_audited_without_its_text(self) -> None:
        reflection = self.draft(chains=2, actions=1, what_happened="Private words")
        pk = reflection.pk
        services.reflection_delete(reflection=reflection, by=self.p.alice)
        assert not Reflection.objects.filter(pk=pk).exists()
        assert not Chain.objects.exists()
        assert not Action.objects.exists()
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_DELETED)
        assert (event.actor, event.subject, event.organisation) == (
            self.p.alice,
            self.p.alice,
            self.p.riverside,
        )
        assert (event.target_type, event.target_id) == ("reflections.reflection", str(pk))
        assert "Private words" not in str(event.detail)

    def test_a_submitted_reflection_is_not_deleted(self) -> None:
        reflection = self.draft(status=Reflection.Status.SUBMITTED)
        with pytest.raises(NotEditableError):
            services.reflection_delete(reflection=reflection, by=self.p.alice)
        assert Reflection.objects.filter(pk=reflection.pk).exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_DELETED).exists()

    def test_only_the_author_can_delete(self) -> None:
        reflection = self.draft()
        with pytest.raises(ValidationError):
            services.reflection_delete(reflection=reflection, by=self.p.bob)
        assert Reflection.objects.filter(pk=reflection.pk).exists()
