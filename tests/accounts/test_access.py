"""The access layer: role predicates and access_* functions, for every persona."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.models import Invitation, Membership, SupervisionLink
from tests.accounts.support import PersonasTestCase
from tests.base import make_member, make_user

Role = Membership.Role


class ActiveMembershipTests(PersonasTestCase):
    def test_an_active_member_gets_their_membership(self) -> None:
        membership = access.active_membership(self.p.alice, self.p.riverside)
        assert membership is not None
        assert membership.user == self.p.alice

    def test_another_organisation_gives_none(self) -> None:
        assert access.active_membership(self.p.alice, self.p.hillside) is None

    def test_a_deactivated_membership_gives_none(self) -> None:
        assert access.active_membership(self.p.dee, self.p.riverside) is None

    def test_a_switched_off_account_gives_none(self) -> None:
        self.p.alice.is_active = False
        self.p.alice.save()
        assert access.active_membership(self.p.alice, self.p.riverside) is None

    def test_an_anonymous_visitor_gives_none(self) -> None:
        assert access.active_membership(AnonymousUser(), self.p.riverside) is None


class OrganisationsWhereTests(PersonasTestCase):
    def test_lists_the_organisations_where_the_person_holds_the_role(self) -> None:
        assert list(access.organisations_where(self.p.sam, Role.SUPERVISOR)) == [self.p.riverside]
        assert list(access.organisations_where(self.p.hana, Role.SUPERVISOR)) == [self.p.hillside]

    def test_a_role_the_person_does_not_hold_gives_nothing(self) -> None:
        assert not access.organisations_where(self.p.alice, Role.SUPERVISOR).exists()

    def test_a_deactivated_membership_counts_for_nothing(self) -> None:
        assert not access.organisations_where(self.p.dee, Role.PEER_WORKER).exists()

    def test_roles_in_two_organisations_are_both_listed(self) -> None:
        make_member(self.p.sam, self.p.hillside, Role.SUPERVISOR, Role.TRAINER)
        assert set(access.organisations_where(self.p.sam, Role.SUPERVISOR)) == {
            self.p.riverside,
            self.p.hillside,
        }
        assert list(access.organisations_where(self.p.sam, Role.TRAINER)) == [self.p.hillside]

    def test_anonymous_visitors_hold_no_role(self) -> None:
        assert not access.organisations_where(AnonymousUser(), Role.PEER_WORKER).exists()

    def test_an_unknown_role_is_a_programming_error(self) -> None:
        with pytest.raises(KeyError):
            access.organisations_where(self.p.alice, "captain")


class IsSupervisorOfTests(PersonasTestCase):
    def test_a_linked_supervisor_supervises_their_worker(self) -> None:
        assert access.is_supervisor_of(self.p.sam, self.p.alice)
        assert access.is_supervisor_of(self.p.sam, self.p.bob)

    def test_the_relation_is_not_symmetric(self) -> None:
        assert not access.is_supervisor_of(self.p.alice, self.p.sam)

    def test_an_unrelated_supervisor_does_not(self) -> None:
        assert not access.is_supervisor_of(self.p.una, self.p.alice)

    def test_a_supervisor_elsewhere_does_not(self) -> None:
        assert not access.is_supervisor_of(self.p.hana, self.p.alice)

    def test_an_ended_link_ends_supervision_at_once(self) -> None:
        self.p.sam_alice.ended_at = timezone.now()
        self.p.sam_alice.save()
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)
        assert access.is_supervisor_of(self.p.sam, self.p.bob)

    def test_a_link_starting_tomorrow_does_not_count_yet(self) -> None:
        link = SupervisionLink.objects.create(
            organisation=self.p.riverside,
            supervisor=self.p.una,
            worker=self.p.alice,
            starts_on=timezone.localdate() + timedelta(days=1),
        )
        assert not access.is_supervisor_of(self.p.una, self.p.alice)
        assert access.active_supervision_link(self.p.una, self.p.alice) is None
        assert link.pk is not None

    def test_a_deactivated_supervisor_supervises_nobody(self) -> None:
        Membership.objects.filter(user=self.p.sam).update(is_active=False)
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)

    def test_a_supervisor_whose_role_was_removed_supervises_nobody(self) -> None:
        Membership.objects.filter(user=self.p.sam).update(is_supervisor=False)
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)

    def test_a_deactivated_worker_is_supervised_by_nobody(self) -> None:
        Membership.objects.filter(user=self.p.alice).update(is_active=False)
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)

    def test_a_switched_off_supervisor_account_supervises_nobody(self) -> None:
        self.p.sam.is_active = False
        self.p.sam.save()
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)

    def test_anonymous_visitors_supervise_nobody(self) -> None:
        assert not access.is_supervisor_of(AnonymousUser(), self.p.alice)
        assert not access.is_supervisor_of(self.p.sam, AnonymousUser())

    def test_nobody_supervises_themselves(self) -> None:
        assert not access.is_supervisor_of(self.p.sam, self.p.sam)
        assert access.active_supervision_link(self.p.sam, self.p.sam) is None

    def test_the_active_link_is_returned_with_its_organisation(self) -> None:
        link = access.active_supervision_link(self.p.sam, self.p.alice)
        assert link == self.p.sam_alice
        with self.assertNumQueries(0):
            assert link is not None
            assert link.organisation == self.p.riverside

    def test_a_worker_may_have_had_several_supervisors_over_time(self) -> None:
        self.p.sam_alice.ended_at = timezone.now()
        self.p.sam_alice.save()
        SupervisionLink.objects.create(
            organisation=self.p.riverside, supervisor=self.p.una, worker=self.p.alice
        )
        assert access.is_supervisor_of(self.p.una, self.p.alice)
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)


class AccessOrganisationForAdminTests(PersonasTestCase):
    def test_the_admin_gets_their_organisation(self) -> None:
        organisation = access.access_organisation_for_admin(user=self.p.olive, slug="riverside")
        assert organisation == self.p.riverside

    def test_every_other_persona_gets_a_404(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.una, self.p.tara, self.p.dee, self.p.omar):
            with self.subTest(user=user.username), pytest.raises(Http404):
                access.access_organisation_for_admin(user=user, slug="riverside")

    def test_an_admin_of_another_organisation_gets_a_404(self) -> None:
        with pytest.raises(Http404):
            access.access_organisation_for_admin(user=self.p.olive, slug="hillside")

    def test_an_unknown_slug_gets_the_same_404(self) -> None:
        with pytest.raises(Http404):
            access.access_organisation_for_admin(user=self.p.olive, slug="nowhere")

    def test_a_deactivated_admin_gets_a_404(self) -> None:
        Membership.objects.filter(user=self.p.olive).update(is_active=False)
        with pytest.raises(Http404):
            access.access_organisation_for_admin(user=self.p.olive, slug="riverside")

    def test_anonymous_visitors_get_a_404(self) -> None:
        with pytest.raises(Http404):
            access.access_organisation_for_admin(user=AnonymousUser(), slug="riverside")


class AccessMembershipForAdminTests(PersonasTestCase):
    def test_the_admin_gets_a_member_of_their_organisation(self) -> None:
        membership = Membership.objects.get(user=self.p.alice)
        got = access.access_membership_for_admin(
            user=self.p.olive, slug="riverside", pk=membership.pk
        )
        assert got == membership

    def test_a_deactivated_member_is_still_reachable_so_they_can_be_reactivated(self) -> None:
        membership = Membership.objects.get(user=self.p.dee)
        got = access.access_membership_for_admin(
            user=self.p.olive, slug="riverside", pk=membership.pk
        )
        assert got == membership

    def test_another_organisations_member_is_a_404_even_under_the_right_slug(self) -> None:
        omar = Membership.objects.get(user=self.p.omar)
        with pytest.raises(Http404):
            access.access_membership_for_admin(user=self.p.olive, slug="riverside", pk=omar.pk)

    def test_a_non_admin_gets_a_404(self) -> None:
        membership = Membership.objects.get(user=self.p.alice)
        with pytest.raises(Http404):
            access.access_membership_for_admin(user=self.p.sam, slug="riverside", pk=membership.pk)

    def test_an_unknown_pk_gets_a_404(self) -> None:
        with pytest.raises(Http404):
            access.access_membership_for_admin(user=self.p.olive, slug="riverside", pk=999_999)


class AccessInvitationTests(PersonasTestCase):
    def make_invitation(self, organisation_slug: str = "riverside", **extra: object) -> Invitation:
        organisation = self.p.riverside if organisation_slug == "riverside" else self.p.hillside
        return Invitation.objects.create(
            organisation=organisation,
            email="new@example.org",
            token_hash=access.token_hash(f"token-{organisation_slug}"),
            expires_at=timezone.now() + timedelta(days=7),
            is_peer_worker=True,
            **extra,
        )

    def test_the_admin_gets_their_organisations_invitation(self) -> None:
        invitation = self.make_invitation()
        got = access.access_invitation_for_admin(
            user=self.p.olive, slug="riverside", pk=invitation.pk
        )
        assert got == invitation

    def test_another_organisations_invitation_is_a_404(self) -> None:
        invitation = self.make_invitation("hillside")
        with pytest.raises(Http404):
            access.access_invitation_for_admin(
                user=self.p.olive, slug="riverside", pk=invitation.pk
            )

    def test_a_non_admin_gets_a_404(self) -> None:
        invitation = self.make_invitation()
        with pytest.raises(Http404):
            access.access_invitation_for_admin(user=self.p.sam, slug="riverside", pk=invitation.pk)

    def test_the_token_finds_its_invitation_in_any_state(self) -> None:
        invitation = self.make_invitation(revoked_at=timezone.now())
        assert access.access_invitation_by_token(token="token-riverside") == invitation

    def test_an_unknown_token_is_a_404(self) -> None:
        self.make_invitation()
        with pytest.raises(Http404):
            access.access_invitation_by_token(token="token-elsewhere")

    def test_the_stored_hash_itself_does_not_work_as_a_token(self) -> None:
        invitation = self.make_invitation()
        with pytest.raises(Http404):
            access.access_invitation_by_token(token=invitation.token_hash)

    def test_an_empty_or_overlong_token_is_a_404_without_a_query(self) -> None:
        with self.assertNumQueries(0):
            for token in ("", "x" * 65):
                with pytest.raises(Http404):
                    access.access_invitation_by_token(token=token)


class AccessSupervisionLinkForAdminTests(PersonasTestCase):
    def test_the_admin_gets_their_organisations_link(self) -> None:
        got = access.access_supervision_link_for_admin(
            user=self.p.olive, slug="riverside", pk=self.p.sam_alice.pk
        )
        assert got == self.p.sam_alice

    def test_another_organisations_link_is_a_404(self) -> None:
        link = SupervisionLink.objects.create(
            organisation=self.p.hillside, supervisor=self.p.hana, worker=self.p.omar
        )
        with pytest.raises(Http404):
            access.access_supervision_link_for_admin(
                user=self.p.olive, slug="riverside", pk=link.pk
            )

    def test_the_supervisor_on_the_link_is_not_an_admin_and_gets_a_404(self) -> None:
        with pytest.raises(Http404):
            access.access_supervision_link_for_admin(
                user=self.p.sam, slug="riverside", pk=self.p.sam_alice.pk
            )


class AdminInTwoOrganisationsTests(PersonasTestCase):
    def test_an_admin_of_both_reaches_each_under_its_own_slug_only(self) -> None:
        both = make_user("bea")
        make_member(both, self.p.riverside, Role.ORG_ADMIN)
        make_member(both, self.p.hillside, Role.ORG_ADMIN)
        omar = Membership.objects.get(user=self.p.omar)
        assert access.access_membership_for_admin(user=both, slug="hillside", pk=omar.pk) == omar
        with pytest.raises(Http404):
            access.access_membership_for_admin(user=both, slug="riverside", pk=omar.pk)
