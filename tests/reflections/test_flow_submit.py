"""Starting, checking, submitting (with the privacy check), reading, amending and deleting."""

from __future__ import annotations

from typing import Any, ClassVar

from django.test import TestCase
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Organisation
from framework.models import FrameworkVersion
from reflections.models import Reflection, ReflectionRevision
from reflections.privacy import Kind, match_key
from tests.base import Personas, make_member, make_personas
from tests.reflections.flow_support import draft, load_framework, step_data


def url(name: str, reflection: Reflection, **kwargs: object) -> str:
    return reverse(f"reflections:{name}", kwargs={"pk": reflection.pk, **kwargs})


class FlowTestCase(TestCase):
    p: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.version = load_framework()

    def setUp(self) -> None:
        self.client = self.p.client_for(self.p.alice)

    def draft(self, **fields: Any) -> Reflection:
        return draft(
            author=self.p.alice, organisation=self.p.riverside, version=self.version, **fields
        )


class StartTests(FlowTestCase):
    def test_the_start_page_explains_and_offers_to_start(self) -> None:
        html = self.client.get(reverse("reflections:start")).content.decode()
        assert "About five minutes" in html
        assert 'action="/reflections/new/"' in html
        assert 'name="organisation"' not in html

    def test_starting_creates_a_draft_and_opens_the_first_step(self) -> None:
        response = self.client.post(reverse("reflections:start"))
        reflection = Reflection.objects.get()
        assert response.status_code == 303
        assert response["Location"] == url("step", reflection, step="session")
        assert (reflection.author, reflection.organisation, reflection.framework_version) == (
            self.p.alice,
            self.p.riverside,
            self.version,
        )

    def test_starting_is_a_post(self) -> None:
        self.client.get(reverse("reflections:start"))
        assert not Reflection.objects.exists()

    def test_open_drafts_are_offered_on_the_start_page(self) -> None:
        reflection = self.draft(person_label="J")
        html = self.client.get(reverse("reflections:start")).content.decode()
        assert url("step", reflection, step="session") in html
        assert "(J)" in html

    def test_a_worker_in_two_organisations_chooses_one(self) -> None:
        make_member(self.p.alice, self.p.hillside, Membership.Role.PEER_WORKER)
        html = self.client.get(reverse("reflections:start")).content.decode()
        assert html.count('name="organisation"') == 2
        response = self.client.post(reverse("reflections:start"))
        assert response.status_code == 400
        assert "Choose the organisation" in response.content.decode()
        response = self.client.post(
            reverse("reflections:start"), {"organisation": self.p.hillside.pk}
        )
        assert Reflection.objects.get().organisation == self.p.hillside

    def test_an_organisation_she_does_not_work_in_cannot_be_chosen(self) -> None:
        make_member(self.p.alice, self.p.hillside, Membership.Role.PEER_WORKER)
        elsewhere = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
        for value in (elsewhere.pk, "abc", ""):
            response = self.client.post(reverse("reflections:start"), {"organisation": value})
            assert response.status_code == 400
        assert not Reflection.objects.exists()

    def test_people_who_are_not_peer_workers_are_told_kindly(self) -> None:
        for user in (self.p.sam, self.p.tara, self.p.olive, self.p.dee):
            response = self.p.client_for(user).get(reverse("reflections:start"))
            assert response.status_code == 403
            assert "Reflections are for peer workers" in response.content.decode()
            assert self.p.client_for(user).post(reverse("reflections:start")).status_code == 403
        assert not Reflection.objects.exists()

    def test_before_the_framework_is_loaded_the_page_says_so(self) -> None:
        FrameworkVersion.objects.update(is_current=False)
        assert self.client.get(reverse("reflections:start")).status_code == 503


class CheckAndSubmitTests(FlowTestCase):
    def test_the_check_page_shows_every_answer_with_a_link_to_change_it(self) -> None:
        reflection = self.draft(
            what_happened="We walked", learning="Slow down", chains=1, actions=1
        )
        response = self.client.get(url("check", reflection))
        html = response.content.decode()
        assert "Step 8 of 8" in html
        for text in (
            "We walked",
            "Slow down",
            "Chain 1",
            "Action 1",
            "Evidence for Accepting",
            "Noticed Confidence",
        ):
            assert text in html
        for step in (
            "session",
            "story",
            "contexts",
            "chains",
            "outcomes",
            "unintended",
            "next-steps",
        ):
            assert f'href="{url("step", reflection, step=step)}">Change' in html
        assert f'action="{url("submit", reflection)}"' in html
        assert "HX-Request" in response["Vary"]

    def test_a_draft_without_identifying_details_is_submitted(self) -> None:
        reflection = self.draft(what_happened="We walked by the river.")
        response = self.client.post(url("submit", reflection), {"revision": "1"})
        assert response["Location"] == f"{reflection.get_absolute_url()}?submitted=1"
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED
        assert (
            "Your reflection is submitted" in self.client.get(response["Location"]).content.decode()
        )

    def test_an_empty_reflection_is_not_submitted_and_the_check_page_says_why(self) -> None:
        """Defect 5: an empty reflection would count on My practice."""
        reflection = Reflection.objects.create(
            author=self.p.alice, organisation=self.p.riverside, framework_version=self.version
        )
        response = self.client.post(url("submit", reflection), {"revision": "1"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "There is nothing to submit yet." in html
        assert 'aria-describedby="submit-error"' in html
        reflection.refresh_from_db()
        assert (reflection.status, reflection.revision) == (Reflection.Status.DRAFT, 1)

    def test_a_reflection_with_only_what_happened_is_enough_to_submit(self) -> None:
        reflection = Reflection.objects.create(
            author=self.p.alice,
            organisation=self.p.riverside,
            framework_version=self.version,
            what_happened="We walked by the river.",
        )
        self.client.post(url("submit", reflection), {"revision": "1"})
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED

    def test_an_unfinished_chain_is_named_on_the_check_page_and_holds_the_submit_back(
        self,
    ) -> None:
        """Defect 3: the check page never says "No chains recorded" over a chain begun."""
        accepting = self.version.contexts.get(key="accepting")
        reflection = self.draft(
            what_happened="We walked by the river.",
            incomplete_chains=[
                {
                    "context": accepting.pk,
                    "mechanism": None,
                    "outcome_domain": None,
                    "description": "They laughed",
                    "confidence": 2,
                }
            ],
        )
        html = self.client.get(url("check", reflection)).content.decode()
        assert "One chain is not finished" in html
        assert "Accepting → no shift chosen yet → no outcome chosen yet" in html
        response = self.client.post(url("submit", reflection), {"revision": "1"})
        assert response.status_code == 400
        assert "A chain is not finished." in response.content.decode()
        assert Reflection.objects.get(pk=reflection.pk).status == Reflection.Status.DRAFT

    def test_after_submitting_sharing_with_the_supervisor_comes_first(self) -> None:
        """Point 5: one place to share, offered as the next step, never implied by the mark."""
        reflection = self.draft(what_happened="We walked by the river.", bring_to_supervision=True)
        response = self.client.post(url("submit", reflection), {"revision": "1"}, follow=True)
        html = response.content.decode()
        panel = reverse("supervision:reflection_panel", args=[reflection.pk])
        assert html.index(f'data-hx-get="{panel}"') < html.index('class="reflection-body"')
        assert "Marked to talk about in supervision" in html
        assert "Share with " in self.client.get(panel).content.decode()
        later = self.client.get(reflection.get_absolute_url()).content.decode()
        assert later.index('class="reflection-body"') < later.index(f'data-hx-get="{panel}"')

    def test_submit_only_takes_posts(self) -> None:
        reflection = self.draft()
        assert self.client.get(url("submit", reflection)).status_code == 405

    def test_a_stale_check_page_is_sent_back_to_check_again(self) -> None:
        reflection = self.draft()
        response = self.client.post(url("submit", reflection), {"revision": "0"})
        assert response["Location"] == url("check", reflection)
        assert Reflection.objects.get(pk=reflection.pk).status == Reflection.Status.DRAFT

    def test_identifying_details_lead_to_the_privacy_check(self) -> None:
        reflection = self.draft(
            what_happened="Her NHS number is 943 476 5919.", went_well="We read the Mr Men books."
        )
        response = self.client.post(url("submit", reflection), {"revision": "1"})
        assert response["Location"] == url("privacy", reflection)
        html = self.client.get(response["Location"]).content.decode()
        assert "An NHS number" in html
        assert "<mark>943 476 5919</mark>" in html
        assert "Her NHS number is <mark>" in html
        assert "<mark>Mr Men</mark>" in html
        assert f'href="{url("step", reflection, step="story")}#id_what_happened"' in html
        assert f'value="{match_key(Kind.NHS_NUMBER, "943 476 5919")}"' in html
        assert "Nothing was sent anywhere else" in html
        assert Reflection.objects.get(pk=reflection.pk).status == Reflection.Status.DRAFT

    def test_confirming_every_match_submits_and_is_remembered(self) -> None:
        reflection = self.draft(went_well="We read the Mr Men books.")
        key = match_key(Kind.TITLED_NAME, "Mr Men")
        response = self.client.post(
            url("submit", reflection), {"revision": "1", "confirming": "1", "confirm": [key]}
        )
        assert response["Location"] == f"{reflection.get_absolute_url()}?submitted=1"
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED
        assert reflection.privacy_confirmed == [key]

    def test_confirming_only_some_shows_the_check_again(self) -> None:
        reflection = self.draft(went_well="Mr Men, and 07700 900123")
        response = self.client.post(
            url("submit", reflection),
            {
                "revision": "1",
                "confirming": "1",
                "confirm": [match_key(Kind.TITLED_NAME, "Mr Men")],
            },
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "Tick each item that does not identify anyone" in html
        assert "<mark>07700 900123</mark>" in html
        assert Reflection.objects.get(pk=reflection.pk).status == Reflection.Status.DRAFT

    def test_with_nothing_to_check_the_privacy_page_goes_back_to_the_check_page(self) -> None:
        reflection = self.draft()
        assert self.client.get(url("privacy", reflection))["Location"] == url("check", reflection)

    def test_a_submitted_reflection_has_no_check_page(self) -> None:
        reflection = self.draft(status=Reflection.Status.SUBMITTED)
        for name in ("check", "privacy"):
            assert (
                self.client.get(url(name, reflection))["Location"] == reflection.get_absolute_url()
            )
        assert (
            self.client.post(url("submit", reflection))["Location"] == reflection.get_absolute_url()
        )


class DetailTests(FlowTestCase):
    def submitted(self, **fields: object) -> Reflection:
        reflection = self.draft(chains=2, actions=1, **fields)
        self.client.post(url("submit", reflection), {"revision": str(reflection.revision)})
        reflection.refresh_from_db()
        assert reflection.status == Reflection.Status.SUBMITTED
        return reflection

    def test_the_reflection_page_reads_section_by_section(self) -> None:
        reflection = self.submitted(
            what_happened="We walked", bring_to_supervision=True, person_label="J"
        )
        html = self.client.get(reflection.get_absolute_url()).content.decode()
        for heading in (
            "The session",
            "What happened, and how I felt",
            "The five contexts",
            "What seemed to shift for them",
            "Outcomes I noticed",
            "What did not go well",
            "Learning and next steps",
        ):
            assert f">{heading}</h2>" in html
        assert "Submitted" in html
        assert "Bring to supervision" in html
        assert "Present</span>" in html  # presence in words...
        assert (
            'class="presence-meter presence-meter--2" aria-hidden="true"' in html
        )  # ...and as a picture
        assert (
            'Through <strong class="context-name">Accepting</strong>, they seemed to come to feel '
            "“I am acceptable or worthwhile”, with a shift in <strong>self-acceptance</strong>."
        ) in html
        assert "Written with the APPEAR framework, version 2025.1." in html
        assert "doi:10.1136/bmjopen-2025-105211" in html
        assert "Amend this reflection" in html
        assert "Delete this draft" not in html

    def test_a_draft_page_offers_to_carry_on_or_delete(self) -> None:
        reflection = self.draft()
        html = self.client.get(reflection.get_absolute_url()).content.decode()
        assert "Carry on writing" in html
        assert url("delete", reflection) in html
        assert "Amend this reflection" not in html

    def test_markup_in_any_answer_is_shown_as_text(self) -> None:
        reflection = self.draft(what_happened="<b>bold</b>", person_label="<i>J</i>")
        html = self.client.get(reflection.get_absolute_url()).content.decode()
        assert "<b>bold</b>" not in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html
        assert "&lt;i&gt;J&lt;/i&gt;" in html

    def test_nobody_else_can_read_it(self) -> None:
        reflection = self.submitted()
        for user in (
            self.p.bob,
            self.p.sam,
            self.p.una,
            self.p.tara,
            self.p.olive,
            self.p.dee,
            self.p.omar,
        ):
            assert self.p.client_for(user).get(reflection.get_absolute_url()).status_code == 404
        assert self.p.client_for(None).get(reflection.get_absolute_url()).status_code == 302

    def test_reading_her_own_reflection_is_not_audited(self) -> None:
        reflection = self.submitted()
        self.client.get(reflection.get_absolute_url())
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_VIEWED).exists()


class AmendTests(DetailTests):
    def test_amending_reopens_the_steps_and_resubmitting_keeps_the_history(self) -> None:
        reflection = self.submitted(what_happened="First telling")
        response = self.client.post(url("amend", reflection))
        assert response["Location"] == url("step", reflection, step="session")
        reflection.refresh_from_db()
        assert reflection.is_amending
        html = self.client.get(url("step", reflection, step="story")).content.decode()
        assert "Amending" in html

        self.client.post(
            url("step", reflection, step="story"),
            step_data("story", reflection, what_happened="Second telling"),
        )
        reflection.refresh_from_db()
        check = self.client.get(url("check", reflection)).content.decode()
        assert "Submit the changes" in check
        response = self.client.post(
            url("submit", reflection), {"revision": str(reflection.revision)}
        )
        assert "earlier version is kept" in self.client.get(response["Location"]).content.decode()

        (old,) = ReflectionRevision.objects.filter(reflection=reflection)
        html = self.client.get(reflection.get_absolute_url()).content.decode()
        assert "Earlier versions" in html
        assert url("revision", reflection, number=old.revision) in html
        assert "Second telling" in html
        old_page = self.client.get(
            url("revision", reflection, number=old.revision)
        ).content.decode()
        assert "Earlier version 1" in old_page
        assert "First telling" in old_page
        assert "Second telling" not in old_page
        assert "doi:10.1136/bmjopen-2025-105211" in old_page

    def test_amend_is_a_post_and_only_for_a_submitted_reflection(self) -> None:
        reflection = self.draft()
        assert self.client.get(url("amend", reflection)).status_code == 405
        assert (
            self.client.post(url("amend", reflection))["Location"] == reflection.get_absolute_url()
        )
        assert not Reflection.objects.get(pk=reflection.pk).is_amending

    def test_nobody_else_can_amend_or_read_the_history(self) -> None:
        reflection = self.submitted()
        bob = self.p.client_for(self.p.bob)
        assert bob.post(url("amend", reflection)).status_code == 404
        assert bob.get(url("revision", reflection, number=1)).status_code == 404
        assert not Reflection.objects.get(pk=reflection.pk).is_amending

    def test_a_revision_that_does_not_exist_is_a_404(self) -> None:
        reflection = self.submitted()
        assert self.client.get(url("revision", reflection, number=99)).status_code == 404


class DiscardAmendmentTests(DetailTests):
    def test_an_amendment_begun_by_mistake_is_discarded_after_asking(self) -> None:
        reflection = self.submitted(what_happened="First telling")
        self.client.post(url("amend", reflection))
        reflection.refresh_from_db()
        self.client.post(
            url("step", reflection, step="story"),
            step_data("story", reflection, what_happened="Half a second telling"),
        )
        for page in (url("step", reflection, step="story"), reflection.get_absolute_url()):
            assert url("discard_amendment", reflection) in self.client.get(page).content.decode()
        confirm = self.client.get(url("discard_amendment", reflection)).content.decode()
        assert "Discard your changes?" in confirm
        assert "goes back to exactly what you submitted" in confirm

        response = self.client.post(url("discard_amendment", reflection))

        assert response["Location"] == reflection.get_absolute_url()
        html = self.client.get(response["Location"]).content.decode()
        assert "Your changes are discarded" in html
        assert "First telling" in html
        assert "Half a second telling" not in html
        assert url("discard_amendment", reflection) not in html
        reflection.refresh_from_db()
        assert not reflection.is_amending
        assert not ReflectionRevision.objects.filter(reflection=reflection).exists()

    def test_a_save_landing_after_the_page_loaded_is_discarded_too(self) -> None:
        """Leaving a step page for the confirmation may send one last save on the way; the
        page promised that every change since reopening goes, and it does."""
        reflection = self.submitted(what_happened="First telling")
        self.client.post(url("amend", reflection))
        self.client.get(url("discard_amendment", reflection))
        reflection.refresh_from_db()
        self.client.post(
            url("step", reflection, step="story"),
            step_data("story", reflection, what_happened="Sent on the way out"),
        )
        response = self.client.post(url("discard_amendment", reflection))
        assert response["Location"] == reflection.get_absolute_url()
        fresh = Reflection.objects.get(pk=reflection.pk)
        assert not fresh.is_amending
        assert fresh.what_happened == "First telling"
        # The step page left open now meets a closed reflection, not a silent overwrite.
        late = self.client.post(
            url("step", reflection, step="story"),
            step_data("story", reflection, what_happened="Too late"),
        )
        assert late.status_code == 302
        assert Reflection.objects.get(pk=reflection.pk).what_happened == "First telling"

    def test_a_reflection_that_is_not_reopened_has_nothing_to_discard(self) -> None:
        reflection = self.submitted(what_happened="First telling")
        for response in (
            self.client.get(url("discard_amendment", reflection)),
            self.client.post(url("discard_amendment", reflection)),
        ):
            assert response.status_code == 302
            assert response["Location"] == reflection.get_absolute_url()
        assert Reflection.objects.get(pk=reflection.pk).what_happened == "First telling"

    def test_nobody_else_can_discard_it(self) -> None:
        reflection = self.submitted()
        self.client.post(url("amend", reflection))
        sam = self.p.client_for(self.p.sam)
        assert sam.get(url("discard_amendment", reflection)).status_code == 404
        assert sam.post(url("discard_amendment", reflection)).status_code == 404
        assert Reflection.objects.get(pk=reflection.pk).is_amending


class DeleteTests(FlowTestCase):
    def test_a_draft_is_deleted_after_asking_and_the_deletion_is_audited(self) -> None:
        reflection = self.draft()
        html = self.client.get(url("delete", reflection)).content.decode()
        assert "Delete this draft?" in html
        response = self.client.post(url("delete", reflection))
        assert response["Location"] == reverse("reflections:list")
        assert not Reflection.objects.filter(pk=reflection.pk).exists()
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_DELETED)
        assert event.actor == self.p.alice
        assert event.target_id == str(reflection.pk)

    def test_a_submitted_reflection_is_not_deleted(self) -> None:
        reflection = self.draft(status=Reflection.Status.SUBMITTED)
        assert (
            self.client.post(url("delete", reflection))["Location"] == reflection.get_absolute_url()
        )
        assert Reflection.objects.filter(pk=reflection.pk).exists()

    def test_nobody_else_can_delete_it(self) -> None:
        reflection = self.draft()
        assert self.p.client_for(self.p.bob).post(url("delete", reflection)).status_code == 404
        assert Reflection.objects.filter(pk=reflection.pk).exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_DELETED).exists()
