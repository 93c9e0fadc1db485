"""supervision.sharing.access: who reaches a shared reflection, and when that ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, SupervisionLink
from reflections.models import Reflection
from supervision.sharing import access
from tests.supervision.sharing_support import SharingTestCase


class AccessSharedReflectionTests(SharingTestCase):
    def setUp(self) -> None:
        self.reflection_ = self.reflection()
        self.share_ = self.share(self.reflection_)

    def assert_no_access(self, user: object) -> None:
        with pytest.raises(Http404):
            access.access_shared_reflection(user=user, pk=self.reflection_.pk)  # type: ignore[arg-type]

    def test_the_supervisor_it_is_shared_with_gets_it(self) -> None:
        found = access.access_shared_reflection(user=self.p.sam, pk=self.reflection_.pk)
        assert found == self.reflection_

    def test_nobody_else_gets_it(self) -> None:
        for person in (self.p.una, self.p.tara, self.p.olive, self.p.bob, self.p.hana, self.p.omar):
            self.assert_no_access(person)
        self.assert_no_access(AnonymousUser())

    def test_its_author_does_not_get_it_through_the_supervisor_route(self) -> None:
        self.assert_no_access(self.p.alice)

    def test_an_unknown_id_is_a_404(self) -> None:
        with pytest.raises(Http404):
            access.access_shared_reflection(user=self.p.sam, pk=self.reflection_.pk + 1000)

    def test_a_withdrawn_share_gives_nothing(self) -> None:
        self.share_.withdrawn_at = timezone.now()
        self.share_.save()
        self.assert_no_access(self.p.sam)

    def test_ending_the_link_ends_access(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        self.assert_no_access(self.p.sam)

    def test_a_new_link_does_not_revive_a_share_made_through_an_ended_one(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=self.p.sam, worker=self.p.alice
        )
        self.assert_no_access(self.p.sam)

    def test_a_link_that_has_not_started_gives_nothing(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(
            starts_on=timezone.localdate() + timedelta(days=3)
        )
        self.assert_no_access(self.p.sam)

    def test_deactivating_the_supervisor_ends_access(self) -> None:
        Membership.objects.filter(user=self.p.sam).update(is_active=False)
        self.assert_no_access(self.p.sam)

    def test_removing_the_supervisor_role_ends_access(self) -> None:
        Membership.objects.filter(user=self.p.sam).update(is_supervisor=False)
        self.assert_no_access(self.p.sam)

    def test_deactivating_the_worker_ends_access(self) -> None:
        Membership.objects.filter(user=self.p.alice).update(is_active=False)
        self.assert_no_access(self.p.sam)

    def test_a_switched_off_supervisor_account_gives_nothing(self) -> None:
        self.p.sam.is_active = False
        self.p.sam.save()
        self.assert_no_access(self.p.sam)

    def test_a_draft_is_never_readable_even_with_a_share_row(self) -> None:
        Reflection.objects.filter(pk=self.reflection_.pk).update(status=Reflection.Status.DRAFT)
        self.assert_no_access(self.p.sam)

    def test_a_share_through_another_workers_link_gives_nothing(self) -> None:
        """A share row pointing at Sam's link with Bob cannot open Alice's reflection."""
        self.share_.delete()
        self.share(self.reflection_, link=self.p.sam_bob)
        self.assert_no_access(self.p.sam)

    def test_access_is_one_query(self) -> None:
        with self.assertNumQueries(1):
            access.access_shared_reflection(user=self.p.sam, pk=self.reflection_.pk)


class AccessSuperviseeTests(SharingTestCase):
    def test_a_current_supervisor_gets_the_link(self) -> None:
        link = access.access_supervisee(user=self.p.sam, user_id=self.p.alice.pk)
        assert link == self.p.sam_alice

    def test_a_former_supervisor_other_supervisors_and_the_worker_get_404(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_bob.pk).update(ended_at=timezone.now())
        cases = [
            (self.p.sam, self.p.bob),
            (self.p.una, self.p.alice),
            (self.p.hana, self.p.alice),
            (self.p.tara, self.p.alice),
            (self.p.alice, self.p.alice),
        ]
        for user, worker in cases:
            with pytest.raises(Http404):
                access.access_supervisee(user=user, user_id=worker.pk)


class AccessForFeedbackTests(SharingTestCase):
    def test_the_author_and_the_supervisor_get_the_thread(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        for person in (self.p.alice, self.p.sam):
            assert access.access_reflection_for_feedback(user=person, pk=reflection.pk) == (
                reflection
            )

    def test_others_get_404(self) -> None:
        reflection = self.reflection()
        self.share(reflection)
        for person in (self.p.una, self.p.bob, self.p.tara, self.p.hana, self.p.dee):
            with pytest.raises(Http404):
                access.access_reflection_for_feedback(user=person, pk=reflection.pk)

    def test_the_supervisor_loses_the_thread_with_the_share(self) -> None:
        reflection = self.reflection()
        self.share(reflection, withdrawn_at=timezone.now())
        with pytest.raises(Http404):
            access.access_reflection_for_feedback(user=self.p.sam, pk=reflection.pk)
        assert access.access_reflection_for_feedback(user=self.p.alice, pk=reflection.pk)

    def test_a_deactivated_author_loses_the_thread(self) -> None:
        reflection = self.reflection(author=self.p.dee)
        with pytest.raises(Http404):
            access.access_reflection_for_feedback(user=self.p.dee, pk=reflection.pk)

    def test_the_author_may_write_only_while_someone_can_read(self) -> None:
        reflection = self.reflection()
        assert not access.may_comment(user=self.p.alice, reflection=reflection)
        self.share(reflection)
        assert access.may_comment(user=self.p.alice, reflection=reflection)
        assert access.may_comment(user=self.p.sam, reflection=reflection)
        assert not access.may_comment(user=self.p.una, reflection=reflection)


class AccessOwnShareTests(SharingTestCase):
    def test_only_the_author_reaches_a_share_to_withdraw_it(self) -> None:
        share = self.share(self.reflection())
        assert access.access_own_share(user=self.p.alice, pk=share.pk) == share
        for person in (self.p.sam, self.p.bob, self.p.una, self.p.hana):
            with pytest.raises(Http404):
                access.access_own_share(user=person, pk=share.pk)

    def test_the_author_can_still_withdraw_after_the_link_ended(self) -> None:
        share = self.share(self.reflection())
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        assert access.access_own_share(user=self.p.alice, pk=share.pk) == share
