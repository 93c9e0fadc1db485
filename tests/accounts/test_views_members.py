"""The organisation admin's members pages: list, one member, roles, deactivation."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEvent, Membership, User
from tests.accounts.support import PersonasTestCase
from tests.base import make_member, make_user

Action = AuditEvent.Action


class MembersListTests(PersonasTestCase):
    url = reverse("accounts:members", kwargs={"slug": "riverside"})

    def test_the_admin_sees_every_member_with_roles_and_status(self) -> None:
        response = self.p.client_for(self.p.olive).get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        for name in ("Alice", "Bob", "Sam", "Una", "Tara", "Olive", "Dee"):
            assert name in html
        assert "Omar" not in html
        assert "Deactivated" in html
        assert (
            reverse(
                "accounts:member",
                kwargs={"slug": "riverside", "pk": Membership.objects.get(user=self.p.alice).pk},
            )
            in html
        )

    def test_other_personas_get_a_404_and_visitors_the_sign_in_page(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.una, self.p.tara, self.p.dee, self.p.omar):
            with self.subTest(user=user.username):
                assert self.p.client_for(user).get(self.url).status_code == 404
        response = self.p.client_for(None).get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_post_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.olive).post(self.url).status_code == 405

    def add_members(self, count: int) -> None:
        start = User.objects.filter(username__startswith="extra").count()
        for number in range(start, start + count):
            make_member(
                User.objects.create(username=f"extra{number}"), self.p.riverside, "peer_worker"
            )

    def test_the_query_count_does_not_grow_with_members(self) -> None:
        """Six queries with 3 or 30 extra members: session, user, the organisation access check, the pending invitations count, the header's
        navigation memberships and the members with their users in one join.
        """
        client = self.p.client_for(self.p.olive)
        self.add_members(3)
        with self.assertNumQueries(6):
            assert client.get(self.url).status_code == 200
        self.add_members(27)
        with self.assertNumQueries(6):
            response = client.get(self.url)
        assert "extra29" in response.content.decode()


class MemberPageTests(PersonasTestCase):
    def url(self, user: User, name: str = "accounts:member", slug: str = "riverside") -> str:
        pk = Membership.objects.get(user=user).pk
        return reverse(name, kwargs={"slug": slug, "pk": pk})

    def test_the_admin_sees_roles_links_and_the_deactivate_button(self) -> None:
        response = self.p.client_for(self.p.olive).get(self.url(self.p.alice))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'value="peer_worker" id="id_roles_0" checked' in html
        assert html.count("checked") == 1
        assert "Sam supervises Alice" in html
        assert "Deactivate Alice" in html

    def test_the_roles_section_has_one_roles_heading(self) -> None:
        html = self.p.client_for(self.p.olive).get(self.url(self.p.bob)).content.decode()
        assert html.count(">Roles<") == 1
        assert "<legend>What Bob may do here</legend>" in html

    def test_an_admin_is_not_offered_to_deactivate_themselves(self) -> None:
        html = self.p.client_for(self.p.olive).get(self.url(self.p.olive)).content.decode()
        assert "You cannot deactivate yourself" in html
        assert "member_deactivate" not in html
        assert "/deactivate/" not in html

    def test_a_deactivated_member_is_offered_reactivation(self) -> None:
        html = self.p.client_for(self.p.olive).get(self.url(self.p.dee)).content.decode()
        assert "Reactivate Dee" in html
        assert "Deactivated on" in html

    def test_another_organisations_member_is_a_404_under_our_slug(self) -> None:
        client = self.p.client_for(self.p.olive)
        assert client.get(self.url(self.p.omar)).status_code == 404
        assert client.get(self.url(self.p.omar, slug="hillside")).status_code == 404

    def test_non_admins_get_a_404(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.tara, self.p.hana):
            with self.subTest(user=user.username):
                assert self.p.client_for(user).get(self.url(self.p.alice)).status_code == 404


class MemberRolesTests(PersonasTestCase):
    def url(self, user: User) -> str:
        pk = Membership.objects.get(user=user).pk
        return reverse("accounts:member_roles", kwargs={"slug": "riverside", "pk": pk})

    def test_the_admin_changes_roles_and_is_sent_back_to_the_member_page(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url(self.p.tara), {"roles": ["trainer", "supervisor"]}
        )
        membership = Membership.objects.get(user=self.p.tara)
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "accounts:member", kwargs={"slug": "riverside", "pk": membership.pk}
        )
        assert membership.roles == ["supervisor", "trainer"]
        assert AuditEvent.objects.filter(action=Action.ROLES_CHANGED, subject=self.p.tara).exists()

    def test_no_roles_is_a_field_error_and_nothing_changes(self) -> None:
        response = self.p.client_for(self.p.olive).post(self.url(self.p.tara), {})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose at least one role." in html
        assert 'class="error-summary"' in html
        assert Membership.objects.get(user=self.p.tara).roles == ["trainer"]

    def test_an_unknown_role_or_markup_is_a_field_error(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url(self.p.tara), {"roles": ["<script>alert(1)</script>"]}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "is not one of the available choices" in html

    def test_removing_the_last_admin_is_an_error_on_the_page(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url(self.p.olive), {"roles": ["trainer"]}
        )
        assert response.status_code == 200
        assert "at least one admin" in response.content.decode()
        assert Membership.objects.get(user=self.p.olive).is_org_admin

    def test_get_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.olive).get(self.url(self.p.tara)).status_code == 405

    def test_non_admins_get_a_404_and_nothing_changes(self) -> None:
        for user in (self.p.tara, self.p.sam, self.p.omar):
            with self.subTest(user=user.username):
                response = self.p.client_for(user).post(
                    self.url(self.p.tara), {"roles": ["org_admin"]}
                )
                assert response.status_code == 404
        assert Membership.objects.get(user=self.p.tara).roles == ["trainer"]

    def test_visitors_are_sent_to_sign_in(self) -> None:
        response = self.p.client_for(None).post(self.url(self.p.tara), {"roles": ["org_admin"]})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


class DeactivationTests(PersonasTestCase):
    def url(self, user: User, action: str) -> str:
        pk = Membership.objects.get(user=user).pk
        return reverse(f"accounts:member_{action}", kwargs={"slug": "riverside", "pk": pk})

    def test_a_signed_in_member_is_bounced_to_sign_in_as_soon_as_they_are_deactivated(self) -> None:
        alice = self.p.client_for(self.p.alice)
        assert alice.get(reverse("accounts:my_audit")).status_code == 200
        response = self.p.client_for(self.p.olive).post(self.url(self.p.alice, "deactivate"))
        assert response.status_code == 302
        after = alice.get(reverse("accounts:my_audit"))
        assert after.status_code == 302
        assert after["Location"].startswith(reverse("account_login"))
        membership = Membership.objects.get(user=self.p.alice)
        assert not membership.is_active
        assert AuditEvent.objects.filter(action=Action.MEMBER_DEACTIVATED).count() == 1

    def test_a_deactivated_admin_loses_the_admin_pages_at_once(self) -> None:
        Membership.objects.filter(user=self.p.una).update(is_org_admin=True)
        deactivate = self.url(self.p.una, "deactivate")
        make_member(self.p.una, self.p.hillside, "peer_worker")
        una = self.p.client_for(self.p.una)
        members = reverse("accounts:members", kwargs={"slug": "riverside"})
        assert una.get(members).status_code == 200
        self.p.client_for(self.p.olive).post(deactivate)
        assert una.get(members).status_code == 404
        assert una.get(reverse("home")).status_code == 200

    def test_reactivation_gives_access_back(self) -> None:
        olive = self.p.client_for(self.p.olive)
        olive.post(self.url(self.p.alice, "deactivate"))
        response = olive.post(self.url(self.p.alice, "reactivate"))
        assert response.status_code == 302
        self.p.alice.refresh_from_db()
        assert self.p.alice.is_active
        assert self.p.client_for(self.p.alice).get(reverse("accounts:my_audit")).status_code == 200

    def test_deactivating_yourself_shows_a_message_and_changes_nothing(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url(self.p.olive, "deactivate"), follow=True
        )
        assert "You cannot deactivate yourself" in response.content.decode()
        assert Membership.objects.get(user=self.p.olive).is_active

    def test_get_asks_before_deactivating_and_reactivating_needs_a_post(self) -> None:
        client = self.p.client_for(self.p.olive)
        assert client.get(self.url(self.p.alice, "deactivate")).status_code == 200
        assert client.put(self.url(self.p.alice, "deactivate")).status_code == 405
        assert client.get(self.url(self.p.dee, "reactivate")).status_code == 405

    def test_non_admins_get_a_404(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.hana):
            with self.subTest(user=user.username):
                response = self.p.client_for(user).post(self.url(self.p.bob, "deactivate"))
                assert response.status_code == 404
        assert Membership.objects.get(user=self.p.bob).is_active

    def test_another_organisations_member_cannot_be_deactivated(self) -> None:
        omar = Membership.objects.get(user=self.p.omar).pk
        url = reverse("accounts:member_deactivate", kwargs={"slug": "riverside", "pk": omar})
        assert self.p.client_for(self.p.olive).post(url).status_code == 404
        assert Membership.objects.get(user=self.p.omar).is_active


class DeactivationConfirmTests(PersonasTestCase):
    def url(self, user: User) -> str:
        pk = Membership.objects.get(user=user, organisation=self.p.riverside).pk
        return reverse("accounts:member_deactivate", kwargs={"slug": "riverside", "pk": pk})

    def test_the_admin_is_asked_first_and_told_which_links_end_for_good(self) -> None:
        response = self.p.client_for(self.p.olive).get(self.url(self.p.alice))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Deactivate Alice?</h1>" in html
        assert "Sam supervises Alice (since" in html
        assert "Reactivating later does not restore these links" in html
        assert "Their reflections, shares and supervision records are kept." in html
        assert f'<form method="post" action="{self.url(self.p.alice)}"' in html
        assert Membership.objects.get(user=self.p.alice).is_active, "asking changes nothing"

    def test_the_member_page_links_to_the_question_instead_of_deactivating(self) -> None:
        pk = Membership.objects.get(user=self.p.bob).pk
        html = (
            self.p.client_for(self.p.olive)
            .get(reverse("accounts:member", kwargs={"slug": "riverside", "pk": pk}))
            .content.decode()
        )
        assert f'href="{self.url(self.p.bob)}">Deactivate Bob…</a>' in html
        assert "which reactivating does not restore" in html


class TwoOrganisationsTests(PersonasTestCase):
    def test_a_person_in_two_organisations_stays_signed_in_after_losing_one(self) -> None:
        both = make_user("bea")
        make_member(both, self.p.riverside, "peer_worker")
        make_member(both, self.p.hillside, "peer_worker")
        client = self.p.client_for(both)
        pk = Membership.objects.get(user=both, organisation=self.p.riverside).pk
        self.p.client_for(self.p.olive).post(
            reverse("accounts:member_deactivate", kwargs={"slug": "riverside", "pk": pk})
        )
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert "Hillside Recovery Service" in response.content.decode()
        assert (
            "Riverside Peer Support"
            not in response.content.decode().split("<main")[1].split("</main>")[0]
        )
