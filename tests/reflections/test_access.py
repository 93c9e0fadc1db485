"""Who may use a reflection, for what, and who may start one."""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import TestCase
from django.utils import timezone

from accounts.models import Membership, Organisation
from framework.models import FrameworkVersion
from reflections.access import (
    Purpose,
    ReflectionStateError,
    access_reflection,
    organisations_to_write_in,
)
from reflections.models import Reflection
from tests.base import Personas, make_member, make_personas, make_user
from tests.reflections.flow_support import draft, load_framework


class AccessReflectionTests(TestCase):
    p: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]
    alices: ClassVar[Reflection]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.version = load_framework()
        cls.alices = draft(author=cls.p.alice, organisation=cls.p.riverside, version=cls.version)

    def test_the_author_may_view_and_edit_her_draft(self) -> None:
        for purpose in (Purpose.VIEW, Purpose.EDIT, Purpose.DELETE):
            assert (
                access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=purpose)
                == self.alices
            )

    def test_everyone_else_gets_a_404_for_every_purpose(self) -> None:
        """Her peer, her supervisor, an unrelated supervisor, the trainer, the admin, a
        deactivated colleague, another organisation's worker and a visitor: all 404, so not
        even the reflection's existence is revealed."""
        p = self.p
        for user in (p.bob, p.sam, p.una, p.tara, p.olive, p.dee, p.omar, p.hana, AnonymousUser()):
            for purpose in Purpose:
                with self.subTest(user=str(user), purpose=purpose), pytest.raises(Http404):
                    access_reflection(user=user, pk=self.alices.pk, purpose=purpose)

    def test_a_reflection_that_does_not_exist_is_a_404(self) -> None:
        with pytest.raises(Http404):
            access_reflection(user=self.p.alice, pk=self.alices.pk + 1000, purpose=Purpose.VIEW)

    def test_the_author_loses_access_when_her_membership_is_deactivated(self) -> None:
        Membership.objects.filter(user=self.p.alice).update(
            is_active=False, deactivated_at=timezone.now()
        )
        with pytest.raises(Http404):
            access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=Purpose.VIEW)

    def test_a_deactivated_worker_cannot_reach_the_reflection_she_wrote_before(self) -> None:
        dees = draft(author=self.p.dee, organisation=self.p.riverside, version=self.version)
        with pytest.raises(Http404):
            access_reflection(user=self.p.dee, pk=dees.pk, purpose=Purpose.VIEW)

    def test_the_author_loses_access_when_her_account_is_deactivated(self) -> None:
        self.p.alice.is_active = False
        self.p.alice.save()
        with pytest.raises(Http404):
            access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=Purpose.VIEW)

    def test_a_membership_elsewhere_does_not_open_a_reflection_of_this_organisation(self) -> None:
        Membership.objects.filter(user=self.p.alice).update(is_active=False)
        make_member(self.p.alice, self.p.hillside, Membership.Role.PEER_WORKER)
        with pytest.raises(Http404):
            access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=Purpose.VIEW)

    def test_a_submitted_reflection_can_be_viewed_and_amended_not_edited_or_deleted(self) -> None:
        Reflection.objects.filter(pk=self.alices.pk).update(status=Reflection.Status.SUBMITTED)
        for purpose in (Purpose.VIEW, Purpose.AMEND):
            assert access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=purpose)
        for purpose in (Purpose.EDIT, Purpose.DELETE):
            with self.subTest(purpose=purpose), pytest.raises(ReflectionStateError) as raised:
                access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=purpose)
            assert raised.value.reflection == self.alices

    def test_a_draft_cannot_be_amended(self) -> None:
        with pytest.raises(ReflectionStateError):
            access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=Purpose.AMEND)

    def test_a_reopened_reflection_can_be_edited_but_not_reopened_again_or_deleted(self) -> None:
        Reflection.objects.filter(pk=self.alices.pk).update(
            status=Reflection.Status.SUBMITTED, amendment_base={"revision": 1}
        )
        assert access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=Purpose.EDIT)
        for purpose in (Purpose.AMEND, Purpose.DELETE):
            with self.subTest(purpose=purpose), pytest.raises(ReflectionStateError):
                access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=purpose)

    def test_a_state_problem_is_only_ever_raised_to_the_author(self) -> None:
        Reflection.objects.filter(pk=self.alices.pk).update(status=Reflection.Status.SUBMITTED)
        with pytest.raises(Http404):
            access_reflection(user=self.p.bob, pk=self.alices.pk, purpose=Purpose.EDIT)

    def test_access_takes_one_query(self) -> None:
        """One query: the reflection joined to the author's active membership."""
        with self.assertNumQueries(1):
            access_reflection(user=self.p.alice, pk=self.alices.pk, purpose=Purpose.VIEW)


class OrganisationsToWriteInTests(TestCase):
    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def test_a_peer_worker_writes_in_her_organisation(self) -> None:
        assert organisations_to_write_in(user=self.p.alice) == [self.p.riverside]
        assert organisations_to_write_in(user=self.p.omar) == [self.p.hillside]

    def test_only_peer_workers_can_start_reflections(self) -> None:
        p = self.p
        for user in (p.sam, p.una, p.tara, p.olive, p.hana, p.dee, AnonymousUser()):
            with self.subTest(user=str(user)):
                assert organisations_to_write_in(user=user) == []

    def test_a_worker_in_several_organisations_may_choose_among_them(self) -> None:
        uplands = Organisation.objects.create(name="Uplands Peer Network", slug="uplands")
        make_member(self.p.alice, self.p.hillside, Membership.Role.PEER_WORKER)
        make_member(self.p.alice, uplands, Membership.Role.SUPERVISOR)
        assert organisations_to_write_in(user=self.p.alice) == [self.p.hillside, self.p.riverside]

    def test_a_deactivated_account_cannot_start_one(self) -> None:
        wren = make_user("wren", is_active=False)
        make_member(wren, self.p.riverside, Membership.Role.PEER_WORKER)
        assert organisations_to_write_in(user=wren) == []
