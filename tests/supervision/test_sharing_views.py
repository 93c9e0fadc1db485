"""The worker shares and withdraws; the supervisor reads what was shared, audited."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership, SupervisionLink
from reflections.flow_selectors import reflection_snapshot, reflection_with_content
from reflections.models import Reflection
from supervision.models import Share
from tests.supervision.sharing_support import SECRET_TEXTS, SharingTestCase

HTMX = {"HX-Request": "true"}


class SharePageTests(SharingTestCase):
    url = reverse("supervision:share")

    def test_lists_the_workers_submitted_reflections_and_who_has_each(self) -> None:
        self.share(self.reflection(person_label="K"))
        self.reflection(person_label="Q", bring_to_supervision=True)
        self.reflection(status=Reflection.Status.DRAFT, person_label="Z")
        self.reflection(author=self.p.bob, person_label="B")
        response = self.p.client_for(self.p.alice).get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Session with K" in html
        assert "Session with Q" in html
        assert "Shared with Sam" in html
        assert "Flagged for supervision" in html
        assert "Session with Z" not in html, "drafts cannot be shared"
        assert "Session with B" not in html, "only the worker's own reflections"
        assert "no-store" in response["Cache-Control"]

    def test_people_who_are_not_peer_workers_get_404(self) -> None:
        for person in (self.p.sam, self.p.tara, self.p.olive, self.p.dee):
            assert self.p.client_for(person).get(self.url).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.p.client_for(None).get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_post_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.alice).post(self.url).status_code == 405

    def test_the_page_says_a_supervisor_also_sees_earlier_comments(self) -> None:
        self.reflection()
        html = self.p.client_for(self.p.alice).get(self.url).content.decode()
        assert "also sees its comments, including any from earlier supervision" in html

    def test_a_worker_without_a_supervisor_is_told_so(self) -> None:
        SupervisionLink.objects.filter(worker=self.p.alice).update(ended_at=timezone.now())
        self.reflection()
        response = self.p.client_for(self.p.alice).get(self.url)
        assert "You have no current supervisor" in response.content.decode()

    def test_the_page_runs_nine_queries_for_2_or_20_reflections(self) -> None:
        """Nine queries whatever the number of reflections: session, user, the peer worker
        check, the page count, the supervisors, the flagged count, the page of
        reflections, all their open shares, and the header's memberships."""
        client = self.p.client_for(self.p.alice)
        for count in (2, 18):
            for _index in range(count):
                self.share(self.reflection(bring_to_supervision=True))
            with self.assertNumQueries(9):
                response = client.get(self.url)
            assert response.status_code == 200


class ShareCreateViewTests(SharingTestCase):
    url = reverse("supervision:share_create")

    def test_shares_the_selected_reflections_and_goes_back_to_the_page(self) -> None:
        chosen, other = self.reflection(), self.reflection()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.p.client_for(self.p.alice).post(
                self.url,
                {"scope": "selected", "reflections": [chosen.pk], "supervisors": [self.p.sam.pk]},
            )
        assert response.status_code == 302
        assert response["Location"] == reverse("supervision:share")
        assert list(Share.objects.values_list("reflection", "supervisor")) == [
            (chosen.pk, self.p.sam.pk)
        ]
        assert not Share.objects.filter(reflection=other).exists()
        assert len(mail.outbox) == 1

    def test_share_all_flagged_shares_only_the_flagged_ones(self) -> None:
        flagged = [self.reflection(bring_to_supervision=True) for _index in range(3)]
        unflagged = self.reflection()
        draft = self.reflection(status=Reflection.Status.DRAFT, bring_to_supervision=True)
        response = self.p.client_for(self.p.alice).post(
            self.url, {"scope": "flagged", "supervisors": [self.p.sam.pk]}
        )
        assert response.status_code == 302
        shared = set(Share.objects.values_list("reflection", flat=True))
        assert shared == {reflection.pk for reflection in flagged}
        assert unflagged.pk not in shared
        assert draft.pk not in shared

    def test_nothing_chosen_is_a_field_error_with_the_choices_kept(self) -> None:
        self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url, {"scope": "selected", "supervisors": [self.p.sam.pk]}
        )
        assert response.status_code == 200
        assert "Choose at least one reflection to share." in response.content.decode()
        assert not Share.objects.exists()

    def test_no_supervisor_ticked_is_a_field_error_and_ticked_reflections_stay_ticked(self) -> None:
        reflection = self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url, {"scope": "selected", "reflections": [reflection.pk]}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Choose who to share with." in html
        assert f'value="{reflection.pk}" id="share-reflection-{reflection.pk}" checked' in html

    def test_another_persons_reflection_or_a_draft_is_a_field_error(self) -> None:
        bobs = self.reflection(author=self.p.bob)
        draft = self.reflection(status=Reflection.Status.DRAFT)
        for pk, message in (
            (bobs.pk, "Select a valid choice"),
            (draft.pk, "Select a valid choice"),
            ("not-a-number", "is not a valid value"),
        ):
            response = self.p.client_for(self.p.alice).post(
                self.url,
                {"scope": "selected", "reflections": [pk], "supervisors": [self.p.sam.pk]},
            )
            assert response.status_code == 200
            assert message in response.content.decode()
        assert not Share.objects.exists()

    def test_someone_who_is_not_the_workers_supervisor_cannot_be_chosen(self) -> None:
        reflection = self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url,
            {"scope": "selected", "reflections": [reflection.pk], "supervisors": [self.p.una.pk]},
        )
        assert response.status_code == 200
        assert not Share.objects.exists()

    def test_share_all_flagged_with_nothing_flagged_says_so(self) -> None:
        self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url, {"scope": "flagged", "supervisors": [self.p.sam.pk]}
        )
        assert response.status_code == 200
        assert "None of your submitted reflections is flagged" in response.content.decode()

    def test_get_is_not_allowed_and_strangers_get_404(self) -> None:
        assert self.p.client_for(self.p.alice).get(self.url).status_code == 405
        for person in (self.p.sam, self.p.tara, self.p.dee):
            assert self.p.client_for(person).post(self.url, {}).status_code == 404


class ReflectionShareViewTests(SharingTestCase):
    def url(self, reflection: Reflection) -> str:
        return reverse("supervision:reflection_share", kwargs={"pk": reflection.pk})

    def test_shares_one_reflection_and_returns_to_its_page(self) -> None:
        reflection = self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url(reflection), {"supervisors": [self.p.sam.pk], "next": "/somewhere/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/somewhere/"
        assert Share.objects.get().reflection == reflection

    def test_an_outside_next_address_is_ignored(self) -> None:
        reflection = self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url(reflection),
            {"supervisors": [self.p.sam.pk], "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("supervision:share")

    def test_htmx_gets_the_share_control_back(self) -> None:
        reflection = self.reflection()
        page = reflection.get_absolute_url()
        response = self.p.client_for(self.p.alice).post(
            self.url(reflection),
            {"supervisors": [self.p.sam.pk]},
            headers={**HTMX, "HX-Current-URL": f"http://testserver{page}"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith(
            f'<section class="share-controls card" id="share-controls-{reflection.pk}"'
        )
        assert "Shared with Sam" in html
        assert "Withdraw" in html
        assert f'name="next" value="{page}"' in html, "a later post without script returns there"
        assert "HX-Request" in response["Vary"]

    def test_a_draft_is_refused_with_a_message_not_an_error_page(self) -> None:
        draft = self.reflection(status=Reflection.Status.DRAFT)
        response = self.p.client_for(self.p.alice).post(
            self.url(draft), {"supervisors": [self.p.sam.pk]}, headers=HTMX
        )
        assert response.status_code == 200
        assert "Only a submitted reflection can be shared" in response.content.decode()
        assert not Share.objects.exists()

    def test_a_supervisor_who_is_not_theirs_is_a_field_error(self) -> None:
        reflection = self.reflection()
        response = self.p.client_for(self.p.alice).post(
            self.url(reflection), {"supervisors": [self.p.una.pk]}, headers=HTMX
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not Share.objects.exists()

    def test_someone_elses_reflection_is_a_404(self) -> None:
        reflection = self.reflection(author=self.p.bob)
        for person in (self.p.alice, self.p.sam, self.p.una, self.p.hana):
            response = self.p.client_for(person).post(
                self.url(reflection), {"supervisors": [self.p.sam.pk]}
            )
            assert response.status_code == 404

    def test_get_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.alice).get(self.url(self.reflection())).status_code == 405


class ShareWithdrawViewTests(SharingTestCase):
    def url(self, share: Share) -> str:
        return reverse("supervision:share_withdraw", kwargs={"pk": share.pk})

    def test_withdraws_audits_and_goes_back(self) -> None:
        share = self.share(self.reflection())
        response = self.p.client_for(self.p.alice).post(self.url(share))
        assert response.status_code == 302
        share.refresh_from_db()
        assert share.withdrawn_at is not None
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.SHARE_WITHDRAWN, subject=self.p.alice
        ).exists()

    def test_htmx_gets_the_share_control_without_the_share(self) -> None:
        share = self.share(self.reflection())
        response = self.p.client_for(self.p.alice).post(self.url(share), headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Shared with Sam" not in html
        assert "Share with Sam" in html

    def test_the_supervisor_and_others_cannot_withdraw(self) -> None:
        share = self.share(self.reflection())
        for person in (self.p.sam, self.p.bob, self.p.una, self.p.omar):
            assert self.p.client_for(person).post(self.url(share)).status_code == 404
        share.refresh_from_db()
        assert share.withdrawn_at is None

    def test_get_is_not_allowed(self) -> None:
        share = self.share(self.reflection())
        assert self.p.client_for(self.p.alice).get(self.url(share)).status_code == 405


class SupervisorReadingTests(SharingTestCase):
    def url(self, reflection: Reflection) -> str:
        return reverse("supervision:reflection", kwargs={"pk": reflection.pk})

    def test_the_supervisor_reads_every_part_and_the_read_is_audited(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        response = self.p.client_for(self.p.sam).get(self.url(reflection))
        assert response.status_code == 200
        html = response.content.decode()
        for text in SECRET_TEXTS.values():
            assert text in html
        assert "Because I was accepting, J opened up." in html
        assert "Call the hostel with J" in html
        assert "Mark as discussed" in html
        assert "no-store" in response["Cache-Control"]
        event = AuditEvent.objects.get(action=AuditEvent.Action.REFLECTION_VIEWED)
        assert event.actor == self.p.sam
        assert event.subject == self.p.alice
        assert event.organisation == self.p.riverside
        assert event.target_id == str(reflection.pk)

    def test_each_read_is_audited(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        client = self.p.client_for(self.p.sam)
        client.get(self.url(reflection))
        client.get(self.url(reflection))
        assert AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_VIEWED).count() == 2

    def test_ending_the_link_removes_access_on_the_next_request(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        client = self.p.client_for(self.p.sam)
        assert client.get(self.url(reflection)).status_code == 200
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        assert client.get(self.url(reflection)).status_code == 404
        assert AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_VIEWED).count() == 1

    def test_withdrawing_removes_access_on_the_next_request(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        client = self.p.client_for(self.p.sam)
        assert client.get(self.url(reflection)).status_code == 200
        self.p.client_for(self.p.alice).post(
            reverse("supervision:share_withdraw", kwargs={"pk": Share.objects.get().pk})
        )
        assert client.get(self.url(reflection)).status_code == 404

    def test_deactivating_the_supervisor_removes_access(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        Membership.objects.filter(user=self.p.sam).update(is_active=False)
        assert self.p.client_for(self.p.sam).get(self.url(reflection)).status_code == 404

    def test_nobody_else_reads_it_and_nothing_is_audited(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        for person in (
            self.p.alice,
            self.p.bob,
            self.p.una,
            self.p.tara,
            self.p.olive,
            self.p.hana,
        ):
            assert self.p.client_for(person).get(self.url(reflection)).status_code == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_VIEWED).exists()

    def test_an_unshared_reflection_is_a_404(self) -> None:
        reflection = self.reflection()
        assert self.p.client_for(self.p.sam).get(self.url(reflection)).status_code == 404

    def test_post_is_not_allowed(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        assert self.p.client_for(self.p.sam).post(self.url(reflection)).status_code == 405

    def test_the_page_runs_fourteen_queries_with_2_or_20_comments(self) -> None:
        """Fourteen queries whatever the number of comments: session and user; access to the
        reflection and to the share; the audit insert; the thread's
        comments, their replies and whether the viewer may comment; the reflection's parts
        as shared (ratings, their factors, chains, observations, actions); the header's
        memberships. The first opening adds one: the share is marked opened."""
        reflection = self.full_reflection()
        self.share(reflection)
        client = self.p.client_for(self.p.sam)
        for count in (2, 18):
            for index in range(count):
                top = self.comment(reflection, self.p.sam, f"Comment {index}")
                self.comment(reflection, self.p.alice, f"Reply {index}", parent=top)
            with self.assertNumQueries(15 if count == 2 else 14):
                assert client.get(self.url(reflection)).status_code == 200


class SupervisorReadingWhileAmendingTests(SharingTestCase):
    def test_the_supervisor_reads_the_last_submitted_words_not_unfinished_changes(self) -> None:
        reflection = self.full_reflection()
        self.share(reflection)
        reflection_with_content(reflection=reflection)
        Reflection.objects.filter(pk=reflection.pk).update(
            amendment_base=reflection_snapshot(reflection),
            what_happened="An unfinished change the author has not submitted.",
        )
        response = self.p.client_for(self.p.sam).get(
            reverse("supervision:reflection", kwargs={"pk": reflection.pk})
        )
        html = response.content.decode()
        assert SECRET_TEXTS["what_happened"] in html
        assert "An unfinished change" not in html
        assert "is amending this reflection" in html


class ReflectionPanelTests(SharingTestCase):
    """Sharing and feedback on the author's reflection page come from supervision as a panel."""

    def panel_url(self, reflection: Reflection) -> str:
        return reverse("supervision:reflection_panel", kwargs={"pk": reflection.pk})

    def test_the_reflection_page_loads_the_panel_with_htmx_and_links_to_it_without(self) -> None:
        reflection = self.reflection()
        html = (
            self.p.client_for(self.p.alice)
            .get(reverse("reflections:detail", kwargs={"pk": reflection.pk}))
            .content.decode()
        )
        url = self.panel_url(reflection)
        assert f'data-hx-get="{url}" data-hx-trigger="load"' in html
        assert f'<a href="{url}">Bring to supervision, and feedback</a>' in html

    def test_without_javascript_the_panel_is_a_page_whose_forms_return_to_it(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        self.comment(reflection, self.p.sam, "What helped?")
        response = self.p.client_for(self.p.alice).get(self.panel_url(reflection))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Bring to supervision: Session on" in html
        assert "Shared with Sam on" in html
        assert "What helped?" in html
        assert f'name="next" value="{self.panel_url(reflection)}"' in html

    def test_with_htmx_the_panel_is_the_partial_alone_returning_to_the_reflection_page(
        self,
    ) -> None:
        reflection = self.reflection()
        page = reflection.get_absolute_url()
        response = self.p.client_for(self.p.alice).get(
            self.panel_url(reflection),
            headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
        )
        html = response.content.decode()
        assert f'<div class="reflection-panel" id="reflection-panel-{reflection.pk}">' in html
        assert "<html" not in html
        assert f'name="next" value="{page}"' in html
        assert response["Vary"].count("HX-Request") == 1

    def test_nobody_but_the_author_gets_the_panel(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        for person in (self.p.sam, self.p.bob, self.p.tara, self.p.omar):
            assert self.p.client_for(person).get(self.panel_url(reflection)).status_code == 404
