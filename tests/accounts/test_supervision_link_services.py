"""Creating and ending supervision links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import access, services
from accounts.models import AuditEvent, Membership, SupervisionLink
from tests.accounts.support import PersonasTestCase

Action = AuditEvent.Action


class SupervisionLinkCreateTests(PersonasTestCase):
    def test_a_link_is_created_audited_and_grants_supervision(self) -> None:
        link = services.supervision_link_create(
            organisation=self.p.riverside,
            supervisor=self.p.una,
            worker=self.p.alice,
            by=self.p.olive,
        )
        assert link.starts_on == timezone.localdate()
        assert link.created_by == self.p.olive
        assert access.is_supervisor_of(self.p.una, self.p.alice)
        event = AuditEvent.objects.get(action=Action.LINK_CREATED)
        assert event.subject == self.p.alice
        assert event.detail["supervisor"] == self.p.una.pk

    def test_a_future_start_date_is_kept(self) -> None:
        tomorrow = timezone.localdate() + timedelta(days=1)
        link = services.supervision_link_create(
            organisation=self.p.riverside,
            supervisor=self.p.una,
            worker=self.p.alice,
            starts_on=tomorrow,
            by=self.p.olive,
        )
        assert link.starts_on == tomorrow
        assert not access.is_supervisor_of(self.p.una, self.p.alice)

    def assert_refused(self, field: str, **people: object) -> None:
        with pytest.raises(ValidationError) as caught:
            services.supervision_link_create(
                organisation=self.p.riverside,
                by=self.p.olive,
                **people,  # type: ignore[arg-type]
            )
        assert field in caught.value.message_dict
        assert not AuditEvent.objects.exists()

    def test_a_person_cannot_supervise_themselves(self) -> None:
        self.assert_refused("worker", supervisor=self.p.sam, worker=self.p.sam)

    def test_the_supervisor_must_hold_the_supervisor_role(self) -> None:
        self.assert_refused("supervisor", supervisor=self.p.tara, worker=self.p.alice)

    def test_the_worker_must_hold_the_peer_worker_role(self) -> None:
        self.assert_refused("worker", supervisor=self.p.una, worker=self.p.tara)

    def test_both_must_belong_to_the_organisation(self) -> None:
        self.assert_refused("supervisor", supervisor=self.p.hana, worker=self.p.alice)
        self.assert_refused("worker", supervisor=self.p.una, worker=self.p.omar)

    def test_a_deactivated_member_cannot_be_linked(self) -> None:
        self.assert_refused("worker", supervisor=self.p.una, worker=self.p.dee)

    def test_a_pair_has_only_one_open_link(self) -> None:
        self.assert_refused("worker", supervisor=self.p.sam, worker=self.p.alice)

    def test_after_ending_the_pair_can_be_linked_again(self) -> None:
        services.supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        services.supervision_link_create(
            organisation=self.p.riverside,
            supervisor=self.p.sam,
            worker=self.p.alice,
            by=self.p.olive,
        )
        assert (
            SupervisionLink.objects.filter(supervisor=self.p.sam, worker=self.p.alice).count() == 2
        )


class SupervisionLinkEndTests(PersonasTestCase):
    def test_ending_sets_ended_at_ends_access_and_is_audited(self) -> None:
        services.supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        self.p.sam_alice.refresh_from_db()
        assert self.p.sam_alice.ended_at is not None
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)
        event = AuditEvent.objects.get(action=Action.LINK_ENDED)
        assert event.subject == self.p.alice
        assert event.detail == {"supervisor": self.p.sam.pk, "reason": "ended_by_admin"}

    def test_ending_twice_is_refused(self) -> None:
        services.supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        with pytest.raises(ValidationError):
            services.supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        assert AuditEvent.objects.filter(action=Action.LINK_ENDED).count() == 1


class OrganisationUpdateSettingsTests(PersonasTestCase):
    def test_requiring_two_factor_is_saved_and_audited(self) -> None:
        services.organisation_update_settings(
            organisation=self.p.riverside, requires_two_factor=True, by=self.p.olive
        )
        self.p.riverside.refresh_from_db()
        assert self.p.riverside.requires_two_factor
        event = AuditEvent.objects.get(action=Action.SETTINGS_CHANGED)
        assert event.detail == {"requires_two_factor": True}

    def test_an_unchanged_setting_writes_nothing(self) -> None:
        services.organisation_update_settings(
            organisation=self.p.riverside, requires_two_factor=False, by=self.p.olive
        )
        assert not AuditEvent.objects.exists()


class MembershipRoleHelpersTests(PersonasTestCase):
    def test_role_labels_follow_the_role_order(self) -> None:
        membership = Membership(is_org_admin=True, is_peer_worker=True)
        assert membership.roles == ["peer_worker", "org_admin"]
        assert membership.role_labels == ["Peer worker", "Organisation admin"]
