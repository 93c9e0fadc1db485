"""supervision.sharing.services: sharing and withdrawing, with their audit trail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, SupervisionLink
from reflections.models import Reflection
from supervision.models import Share
from supervision.sharing import services
from tests.base import make_member, make_user
from tests.supervision.sharing_support import SharingTestCase


class ShareCreateTests(SharingTestCase):
    def test_shares_each_reflection_with_the_supervisor_and_audits_it(self) -> None:
        first, second = self.reflection(), self.reflection()
        with self.captureOnCommitCallbacks(execute=True):
            created = services.share_create(
                reflections=[first, second], supervisors=[self.p.sam], by=self.p.alice
            )
        assert {share.reflection for share in created} == {first, second}
        assert all(share.link == self.p.sam_alice for share in created)
        events = AuditEvent.objects.filter(action=AuditEvent.Action.REFLECTION_SHARED)
        assert events.count() == 2
        for event in events:
            assert event.actor == self.p.alice
            assert event.subject == self.p.alice
            assert event.organisation == self.p.riverside
            assert event.detail["supervisor_id"] == self.p.sam.pk
        assert len(mail.outbox) == 1, "one e-mail per supervisor, not per reflection"

    def test_sharing_twice_makes_no_second_share(self) -> None:
        reflection = self.reflection()
        services.share_create(reflections=[reflection], supervisors=[self.p.sam], by=self.p.alice)
        again = services.share_create(
            reflections=[reflection], supervisors=[self.p.sam], by=self.p.alice
        )
        assert again == []
        assert Share.objects.filter(reflection=reflection).count() == 1

    def test_a_withdrawn_reflection_can_be_shared_again(self) -> None:
        reflection = self.reflection()
        self.share(reflection, withdrawn_at=timezone.now())
        created = services.share_create(
            reflections=[reflection], supervisors=[self.p.sam], by=self.p.alice
        )
        assert len(created) == 1
        assert Share.objects.filter(reflection=reflection).count() == 2

    def test_a_draft_cannot_be_shared(self) -> None:
        draft = self.reflection(status=Reflection.Status.DRAFT)
        with pytest.raises(ValidationError):
            services.share_create(reflections=[draft], supervisors=[self.p.sam], by=self.p.alice)
        assert not Share.objects.exists()

    def test_nobody_shares_another_persons_reflection(self) -> None:
        reflection = self.reflection(author=self.p.bob)
        with pytest.raises(ValidationError):
            services.share_create(
                reflections=[reflection], supervisors=[self.p.sam], by=self.p.alice
            )

    def test_a_person_who_is_not_the_workers_supervisor_is_refused(self) -> None:
        reflection = self.reflection()
        with pytest.raises(ValidationError):
            services.share_create(
                reflections=[reflection], supervisors=[self.p.una], by=self.p.alice
            )
        assert not Share.objects.exists()

    def test_a_former_supervisor_is_refused(self) -> None:
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(ended_at=timezone.now())
        with pytest.raises(ValidationError):
            services.share_create(
                reflections=[self.reflection()], supervisors=[self.p.sam], by=self.p.alice
            )

    def test_with_two_supervisors_each_gets_a_share_and_an_email(self) -> None:
        second = make_user("sol")
        make_member(second, self.p.riverside, "supervisor")
        SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=second, worker=self.p.alice
        )
        with self.captureOnCommitCallbacks(execute=True):
            created = services.share_create(
                reflections=[self.reflection()], supervisors=[self.p.sam, second], by=self.p.alice
            )
        assert {share.supervisor for share in created} == {self.p.sam, second}
        assert sorted(message.to[0] for message in mail.outbox) == [
            "sam@example.org",
            "sol@example.org",
        ]

    def test_the_email_waits_for_the_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            services.share_create(
                reflections=[self.reflection()], supervisors=[self.p.sam], by=self.p.alice
            )
        assert len(callbacks) == 1
        assert mail.outbox == []


class ShareWithdrawTests(SharingTestCase):
    def test_withdrawing_closes_the_share_and_audits_it(self) -> None:
        share = self.share(self.reflection())
        services.share_withdraw(share=share, by=self.p.alice)
        share.refresh_from_db()
        assert share.withdrawn_at is not None
        event = AuditEvent.objects.get(action=AuditEvent.Action.SHARE_WITHDRAWN)
        assert (event.actor, event.subject) == (self.p.alice, self.p.alice)
        assert event.target_id == str(share.reflection_id)

    def test_withdrawing_twice_is_harmless_and_audited_once(self) -> None:
        share = self.share(self.reflection())
        services.share_withdraw(share=share, by=self.p.alice)
        services.share_withdraw(share=share, by=self.p.alice)
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SHARE_WITHDRAWN).count() == 1

    def test_only_the_author_withdraws(self) -> None:
        share = self.share(self.reflection())
        with pytest.raises(ValidationError):
            services.share_withdraw(share=share, by=self.p.sam)
        share.refresh_from_db()
        assert share.withdrawn_at is None


class ShareMarkDiscussedTests(SharingTestCase):
    def test_the_supervisor_marks_it_once(self) -> None:
        share = self.share(self.reflection())
        first = services.share_mark_discussed(share=share, by=self.p.sam).discussed_at
        again = services.share_mark_discussed(share=share, by=self.p.sam).discussed_at
        assert first is not None
        assert again == first

    def test_nobody_else_marks_it(self) -> None:
        share = self.share(self.reflection())
        with pytest.raises(ValidationError):
            services.share_mark_discussed(share=share, by=self.p.alice)

    def test_a_withdrawn_share_cannot_be_marked(self) -> None:
        share = self.share(self.reflection(), withdrawn_at=timezone.now())
        with pytest.raises(ValidationError):
            services.share_mark_discussed(share=share, by=self.p.sam)
