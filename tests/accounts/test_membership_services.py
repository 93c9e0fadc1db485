"""Changing roles, deactivating and reactivating members, each audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import AuditEvent, Membership, SupervisionLink
from tests.accounts.support import PersonasTestCase
from tests.base import make_member

Role = Membership.Role
Action = AuditEvent.Action


class MembershipUpdateRolesTests(PersonasTestCase):
    def test_roles_change_and_the_change_is_audited_with_before_and_after(self) -> None:
        membership = Membership.objects.get(user=self.p.tara)
        services.membership_update_roles(
            membership=membership, roles=[Role.TRAINER, Role.SUPERVISOR], by=self.p.olive
        )
        membership.refresh_from_db()
        assert membership.is_trainer
        assert membership.is_supervisor
        assert not membership.is_peer_worker
        assert not membership.is_org_admin
        event = AuditEvent.objects.get(action=Action.ROLES_CHANGED)
        assert event.actor == self.p.olive
        assert event.subject == self.p.tara
        assert event.organisation == self.p.riverside
        assert event.detail == {"before": ["trainer"], "after": ["supervisor", "trainer"]}

    def test_unchanged_roles_write_nothing(self) -> None:
        membership = Membership.objects.get(user=self.p.tara)
        services.membership_update_roles(membership=membership, roles=["trainer"], by=self.p.olive)
        assert not AuditEvent.objects.exists()

    def test_no_roles_at_all_is_refused(self) -> None:
        membership = Membership.objects.get(user=self.p.tara)
        with pytest.raises(ValidationError) as caught:
            services.membership_update_roles(membership=membership, roles=[], by=self.p.olive)
        assert "roles" in caught.value.message_dict

    def test_an_unknown_role_is_refused(self) -> None:
        membership = Membership.objects.get(user=self.p.tara)
        with pytest.raises(ValidationError):
            services.membership_update_roles(
                membership=membership, roles=["superuser"], by=self.p.olive
            )

    def test_the_last_admin_cannot_lose_the_admin_role(self) -> None:
        membership = Membership.objects.get(user=self.p.olive)
        with pytest.raises(ValidationError) as caught:
            services.membership_update_roles(
                membership=membership, roles=[Role.TRAINER], by=self.p.olive
            )
        assert "at least one admin" in caught.value.message_dict["roles"][0]
        membership.refresh_from_db()
        assert membership.is_org_admin

    def test_an_admin_can_step_down_when_another_admin_remains(self) -> None:
        make_member(self.p.tara, self.p.hillside, Role.ORG_ADMIN)
        Membership.objects.filter(user=self.p.tara, organisation=self.p.riverside).update(
            is_org_admin=True
        )
        membership = Membership.objects.get(user=self.p.olive)
        services.membership_update_roles(membership=membership, roles=["trainer"], by=self.p.olive)
        membership.refresh_from_db()
        assert not membership.is_org_admin

    def test_losing_the_supervisor_role_ends_that_persons_links(self) -> None:
        membership = Membership.objects.get(user=self.p.sam)
        services.membership_update_roles(membership=membership, roles=["trainer"], by=self.p.olive)
        assert not SupervisionLink.objects.filter(supervisor=self.p.sam, ended_at=None).exists()
        ended = AuditEvent.objects.filter(action=Action.LINK_ENDED)
        assert {event.subject for event in ended} == {self.p.alice, self.p.bob}
        assert {event.detail["reason"] for event in ended} == {"role_removed"}

    def test_losing_the_peer_worker_role_ends_the_workers_links(self) -> None:
        membership = Membership.objects.get(user=self.p.alice)
        services.membership_update_roles(membership=membership, roles=["trainer"], by=self.p.olive)
        self.p.sam_alice.refresh_from_db()
        self.p.sam_bob.refresh_from_db()
        assert self.p.sam_alice.ended_at is not None
        assert self.p.sam_bob.ended_at is None


class MembershipDeactivateTests(PersonasTestCase):
    def test_deactivation_ends_access_keeps_the_row_and_is_audited(self) -> None:
        membership = Membership.objects.get(user=self.p.alice)
        services.membership_deactivate(membership=membership, by=self.p.olive)
        membership.refresh_from_db()
        self.p.alice.refresh_from_db()
        assert not membership.is_active
        assert membership.deactivated_at is not None
        assert not self.p.alice.is_active
        event = AuditEvent.objects.get(action=Action.MEMBER_DEACTIVATED)
        assert event.subject == self.p.alice
        assert event.actor == self.p.olive
        assert event.detail == {"account_switched_off": True}

    def test_the_members_open_links_end(self) -> None:
        membership = Membership.objects.get(user=self.p.sam)
        services.membership_deactivate(membership=membership, by=self.p.olive)
        assert not SupervisionLink.objects.filter(supervisor=self.p.sam, ended_at=None).exists()
        assert AuditEvent.objects.filter(action=Action.LINK_ENDED).count() == 2

    def test_a_person_with_another_active_membership_keeps_their_account(self) -> None:
        make_member(self.p.alice, self.p.hillside, Role.PEER_WORKER)
        membership = Membership.objects.get(user=self.p.alice, organisation=self.p.riverside)
        services.membership_deactivate(membership=membership, by=self.p.olive)
        self.p.alice.refresh_from_db()
        assert self.p.alice.is_active

    def test_a_site_staff_account_is_never_switched_off_by_an_organisation(self) -> None:
        self.p.tara.is_staff = True
        self.p.tara.save()
        services.membership_deactivate(
            membership=Membership.objects.get(user=self.p.tara), by=self.p.olive
        )
        self.p.tara.refresh_from_db()
        assert self.p.tara.is_active

    def test_nobody_deactivates_themselves(self) -> None:
        membership = Membership.objects.get(user=self.p.olive)
        with pytest.raises(ValidationError):
            services.membership_deactivate(membership=membership, by=self.p.olive)
        assert Membership.objects.get(user=self.p.olive).is_active

    def test_the_last_admin_cannot_be_deactivated(self) -> None:
        membership = Membership.objects.get(user=self.p.olive)
        with pytest.raises(ValidationError):
            services.membership_deactivate(membership=membership, by=self.p.sam)

    def test_deactivating_twice_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            services.membership_deactivate(
                membership=Membership.objects.get(user=self.p.dee), by=self.p.olive
            )


class MembershipReactivateTests(PersonasTestCase):
    def test_reactivation_restores_access_and_is_audited(self) -> None:
        membership = Membership.objects.get(user=self.p.alice)
        services.membership_deactivate(membership=membership, by=self.p.olive)
        services.membership_reactivate(membership=membership, by=self.p.olive)
        membership.refresh_from_db()
        self.p.alice.refresh_from_db()
        assert membership.is_active
        assert membership.deactivated_at is None
        assert membership.is_peer_worker
        assert self.p.alice.is_active
        assert AuditEvent.objects.filter(action=Action.MEMBER_REACTIVATED).count() == 1

    def test_links_ended_at_deactivation_stay_ended(self) -> None:
        membership = Membership.objects.get(user=self.p.alice)
        services.membership_deactivate(membership=membership, by=self.p.olive)
        services.membership_reactivate(membership=membership, by=self.p.olive)
        self.p.sam_alice.refresh_from_db()
        assert self.p.sam_alice.ended_at is not None

    def test_reactivating_an_active_member_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            services.membership_reactivate(
                membership=Membership.objects.get(user=self.p.alice), by=self.p.olive
            )
