"""Who reaches a supervision record, a pair's records and a brief (supervision.records.access)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, SupervisionLink, User
from accounts.services import supervision_link_end
from supervision.records.access import (
    RecordPurpose,
    access_brief,
    access_link_for_records,
    access_record,
)
from tests.supervision.records_support import RecordsTestCase

VIEW, CHANGE = RecordPurpose.VIEW, RecordPurpose.CHANGE


class AccessRecordTests(RecordsTestCase):
    def test_the_worker_and_the_supervisor_reach_the_record_for_any_purpose(self) -> None:
        record = self.record()
        for person in (self.p.alice, self.p.sam):
            for purpose in (VIEW, CHANGE):
                assert access_record(user=person, pk=record.pk, purpose=purpose) == record

    def test_everyone_else_gets_a_404(self) -> None:
        record = self.record()
        others: list[User | AnonymousUser] = [
            self.p.bob,
            self.p.una,
            self.p.tara,
            self.p.olive,
            self.p.dee,
            self.p.omar,
            self.p.hana,
            AnonymousUser(),
        ]
        for person in others:
            for purpose in (VIEW, CHANGE):
                with self.assertRaises(Http404, msg=f"{person} {purpose}"):
                    access_record(user=person, pk=record.pk, purpose=purpose)

    def test_an_unknown_record_is_a_404(self) -> None:
        with self.assertRaises(Http404):
            access_record(user=self.p.sam, pk=987654, purpose=VIEW)

    def test_ending_the_link_removes_the_supervisors_access_at_once(self) -> None:
        record = self.record()
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        for purpose in (VIEW, CHANGE):
            with self.assertRaises(Http404):
                access_record(user=self.p.sam, pk=record.pk, purpose=purpose)

    def test_after_the_link_ends_the_worker_still_reads_but_no_longer_changes_it(self) -> None:
        record = self.record()
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        assert access_record(user=self.p.alice, pk=record.pk, purpose=VIEW) == record
        with self.assertRaises(Http404):
            access_record(user=self.p.alice, pk=record.pk, purpose=CHANGE)

    def test_a_supervisor_who_lost_the_role_loses_access(self) -> None:
        record = self.record()
        Membership.objects.filter(user=self.p.sam).update(is_supervisor=False)
        with self.assertRaises(Http404):
            access_record(user=self.p.sam, pk=record.pk, purpose=VIEW)

    def test_a_deactivated_worker_loses_even_their_own_records(self) -> None:
        record = self.record()
        Membership.objects.filter(user=self.p.alice).update(is_active=False)
        with self.assertRaises(Http404):
            access_record(user=self.p.alice, pk=record.pk, purpose=VIEW)

    def test_a_new_link_for_the_same_pair_gives_the_supervisor_back_the_old_records(self) -> None:
        record = self.record()
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=self.p.sam, worker=self.p.alice
        )
        assert access_record(user=self.p.sam, pk=record.pk, purpose=CHANGE) == record


class AccessLinkForRecordsTests(RecordsTestCase):
    def test_the_two_people_of_a_live_link_reach_it(self) -> None:
        for person in (self.p.alice, self.p.sam):
            link = access_link_for_records(user=person, link_id=self.p.sam_alice.pk)
            assert link == self.p.sam_alice

    def test_other_people_an_ended_link_or_a_future_link_give_404(self) -> None:
        for person in (self.p.bob, self.p.una, self.p.tara, self.p.olive, self.p.omar):
            with self.assertRaises(Http404):
                access_link_for_records(user=person, link_id=self.p.sam_alice.pk)
        future = SupervisionLink.objects.create(
            organisation=self.p.riverside,
            supervisor=self.p.una,
            worker=self.p.bob,
            starts_on=timezone.localdate() + timedelta(days=3),
        )
        with self.assertRaises(Http404):
            access_link_for_records(user=self.p.una, link_id=future.pk)
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        with self.assertRaises(Http404):
            access_link_for_records(user=self.p.sam, link_id=self.p.sam_alice.pk)


class AccessBriefTests(RecordsTestCase):
    def test_the_supervisor_gets_the_brief_of_a_supervisee_from_their_own_shares(self) -> None:
        audience = access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
        assert audience.worker == self.p.alice
        assert audience.supervisor == self.p.sam
        assert audience.links == [self.p.sam_alice]

    def test_the_worker_gets_their_own_brief_over_every_live_link(self) -> None:
        audience = access_brief(user=self.p.alice, worker_id=self.p.alice.pk)
        assert audience.worker == self.p.alice
        assert audience.supervisor is None
        assert audience.links == [self.p.sam_alice]

    def test_a_worker_without_a_supervisor_has_no_brief(self) -> None:
        with self.assertRaises(Http404):
            access_brief(user=self.p.omar, worker_id=self.p.omar.pk)

    def test_other_supervisors_trainers_admins_and_other_organisations_get_404(self) -> None:
        for person in (self.p.una, self.p.tara, self.p.olive, self.p.hana, self.p.bob):
            with self.assertRaises(Http404):
                access_brief(user=person, worker_id=self.p.alice.pk)

    def test_a_former_supervisor_gets_404_as_soon_as_the_link_ends(self) -> None:
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        with self.assertRaises(Http404):
            access_brief(user=self.p.sam, worker_id=self.p.alice.pk)
