"""Sending and revoking invitations, and the invitee's one-time link."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Invitation, Membership, User
from tests.accounts.support import PersonasTestCase

Action = AuditEvent.Action
NEW_PASSWORD = "a-long-and-unusual-passphrase"


class InvitationsPageTests(PersonasTestCase):
    url = reverse("accounts:invitations", kwargs={"slug": "riverside"})

    def test_the_admin_sends_an_invitation_and_sees_it_pending(self) -> None:
        client = self.p.client_for(self.p.olive)
        response = client.post(
            self.url, {"email": "newcomer@example.org", "roles": ["peer_worker"]}
        )
        assert response.status_code == 302
        assert response["Location"] == self.url
        invitation = Invitation.objects.get()
        assert invitation.organisation == self.p.riverside
        assert invitation.email == "newcomer@example.org"
        assert invitation.roles == ["peer_worker"]
        assert len(mail.outbox) == 1
        assert mail.outbox[0].body.count(f"{settings.SITE_URL}/accounts/invitations/") == 1
        page = client.get(self.url).content.decode()
        assert "newcomer@example.org" in page
        assert "Revoke" in page

    def test_an_existing_members_address_is_a_field_error_keeping_what_was_typed(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url, {"email": "alice@example.org", "roles": ["supervisor"]}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "already a member" in html
        assert 'value="alice@example.org"' in html
        assert 'value="supervisor" id="id_roles_1" checked' in html
        assert not Invitation.objects.exists()

    def test_bad_input_gives_field_errors_not_a_crash(self) -> None:
        client = self.p.client_for(self.p.olive)
        cases = [
            {},
            {"email": "not an address", "roles": ["peer_worker"]},
            {"email": "x" * 250 + "@example.org", "roles": ["peer_worker"]},
            {"email": "<b>@example.org", "roles": ["peer_worker"]},
            {"email": "new@example.org", "roles": ["emperor"]},
            {"email": "new@example.org"},
        ]
        for data in cases:
            with self.subTest(data=data):
                response = client.post(self.url, data)
                assert response.status_code == 200
                assert 'aria-invalid="true"' in response.content.decode()
        assert not Invitation.objects.exists()

    def test_errors_are_linked_to_their_fields(self) -> None:
        response = self.p.client_for(self.p.olive).post(self.url, {"email": "nope"})
        html = response.content.decode()
        assert 'aria-describedby="id_email_helptext id_email_error"' in html
        assert 'id="id_email_error"' in html
        assert 'href="#id_email"' in html

    def test_non_admins_get_a_404_and_visitors_the_sign_in_page(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.tara, self.p.dee, self.p.omar):
            with self.subTest(user=user.username):
                client = self.p.client_for(user)
                assert client.get(self.url).status_code == 404
                assert (
                    client.post(
                        self.url, {"email": "x@example.org", "roles": ["org_admin"]}
                    ).status_code
                    == 404
                )
        assert self.p.client_for(None).get(self.url).status_code == 302
        assert not Invitation.objects.exists()

    def test_put_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.olive).put(self.url).status_code == 405


class InvitationRevokeViewTests(PersonasTestCase):
    def setUp(self) -> None:
        self.invitation, self.token = services.invitation_send(
            organisation=self.p.riverside,
            email="newcomer@example.org",
            roles=["peer_worker"],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        self.url = reverse(
            "accounts:invitation_revoke", kwargs={"slug": "riverside", "pk": self.invitation.pk}
        )

    def test_the_admin_revokes_and_the_link_then_answers_gone(self) -> None:
        response = self.p.client_for(self.p.olive).post(self.url)
        assert response.status_code == 302
        self.invitation.refresh_from_db()
        assert self.invitation.revoked_by == self.p.olive
        accept = reverse("accounts:invitation_accept", kwargs={"token": self.token})
        gone = self.p.client_for(None).get(accept)
        assert gone.status_code == 410
        assert "withdrew" in gone.content.decode()

    def test_revoking_twice_shows_a_message(self) -> None:
        client = self.p.client_for(self.p.olive)
        client.post(self.url)
        response = client.post(self.url, follow=True)
        assert "no longer open" in response.content.decode()

    def test_another_organisations_admin_gets_a_404(self) -> None:
        Membership.objects.filter(user=self.p.hana).update(is_org_admin=True)
        hillside_url = reverse(
            "accounts:invitation_revoke", kwargs={"slug": "hillside", "pk": self.invitation.pk}
        )
        hana = self.p.client_for(self.p.hana)
        assert hana.post(hillside_url).status_code == 404
        assert hana.post(self.url).status_code == 404
        self.invitation.refresh_from_db()
        assert self.invitation.is_pending

    def test_get_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.olive).get(self.url).status_code == 405


class InvitationAcceptViewTests(PersonasTestCase):
    def setUp(self) -> None:
        self.invitation, self.token = services.invitation_send(
            organisation=self.p.riverside,
            email="newcomer@example.org",
            roles=["peer_worker"],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        self.url = reverse("accounts:invitation_accept", kwargs={"token": self.token})

    def form(self, **changes: str) -> dict[str, str]:
        return {
            "username": "newcomer",
            "display_name": "Nia",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            **changes,
        }

    def test_the_invitee_sees_the_form_for_their_organisation(self) -> None:
        response = self.p.client_for(None).get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Join Riverside Peer Support" in html
        assert "newcomer@example.org" in html
        assert 'autocomplete="new-password"' in html
        assert response["Cache-Control"].startswith("max-age=0")

    def test_accepting_creates_the_account_then_sends_them_to_sign_in(self) -> None:
        client = self.p.client_for(None)
        response = client.post(self.url, self.form())
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login")
        user = User.objects.get(username="newcomer")
        assert user.email == "newcomer@example.org"
        assert Membership.objects.get(user=user).organisation == self.p.riverside
        assert client.login(username="newcomer", password=NEW_PASSWORD)

    def test_the_link_cannot_be_used_twice(self) -> None:
        self.p.client_for(None).post(self.url, self.form())
        again = self.p.client_for(None)
        assert again.get(self.url).status_code == 410
        response = again.post(self.url, self.form(username="second"))
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
        assert not User.objects.filter(username="second").exists()

    def test_an_expired_link_answers_gone_with_a_clear_page(self) -> None:
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            response = self.p.client_for(None).get(self.url)
            posted = self.p.client_for(None).post(self.url, self.form())
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert posted.status_code == 410
        assert not User.objects.filter(username="newcomer").exists()

    def test_an_unknown_or_malformed_token_is_a_404(self) -> None:
        client = self.p.client_for(None)
        for token in ("nothing-like-it", "x" * 200, "%3Cscript%3E"):
            with self.subTest(token=token):
                assert client.get(f"/accounts/invitations/{token}/").status_code == 404

    def test_bad_input_gives_field_errors_and_keeps_what_was_typed(self) -> None:
        client = self.p.client_for(None)
        cases = {
            "username": self.form(username="no spaces allowed"),
            "password": self.form(password="password", password_confirm="password"),
            "password_confirm": self.form(password_confirm="something-else-entirely"),
            "display_name": self.form(display_name="n" * 151),
        }
        for field, data in cases.items():
            with self.subTest(field=field):
                response = client.post(self.url, data)
                assert response.status_code == 200
                html = response.content.decode()
                assert f'id="id_{field}_error"' in html
                assert 'value="' + data["username"] + '"' in html
        assert not User.objects.filter(email="newcomer@example.org").exists()

    def test_markup_in_the_display_name_is_stored_as_text_and_escaped(self) -> None:
        self.p.client_for(None).post(self.url, self.form(display_name="<b>Nia</b>"))
        user = User.objects.get(username="newcomer")
        assert user.display_name == "<b>Nia</b>"
        olive = self.p.client_for(self.p.olive)
        html = olive.get(reverse("accounts:members", kwargs={"slug": "riverside"})).content.decode()
        assert "&lt;b&gt;Nia&lt;/b&gt;" in html

    def test_a_taken_user_name_is_a_field_error(self) -> None:
        response = self.p.client_for(None).post(self.url, self.form(username="ALICE"))
        assert response.status_code == 200
        assert "That user name is taken" in response.content.decode()

    def test_someone_signed_in_as_another_person_is_asked_to_sign_out(self) -> None:
        response = self.p.client_for(self.p.alice).get(self.url)
        assert response.status_code == 200
        assert "Sign out, then open the link" in response.content.decode()
        posted = self.p.client_for(self.p.alice).post(self.url, self.form())
        assert posted.status_code == 200
        assert not User.objects.filter(username="newcomer").exists()

    def test_put_is_not_allowed(self) -> None:
        assert self.p.client_for(None).put(self.url).status_code == 405


class ExistingAccountInvitationTests(PersonasTestCase):
    def setUp(self) -> None:
        self.invitation, token = services.invitation_send(
            organisation=self.p.riverside,
            email="omar@example.org",
            roles=["trainer"],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        self.url = reverse("accounts:invitation_accept", kwargs={"token": token})

    def test_signed_out_they_are_asked_to_sign_in_and_come_back(self) -> None:
        response = self.p.client_for(None).get(self.url)
        assert response.status_code == 200
        assert (
            f"{reverse('account_login')}?next=%2Faccounts%2Finvitations%2F"
            in response.content.decode()
        )

    def test_signed_in_as_that_person_they_join_with_one_button(self) -> None:
        client = self.p.client_for(self.p.omar)
        assert "Join Riverside Peer Support" in client.get(self.url).content.decode()
        response = client.post(self.url)
        assert response.status_code == 302
        membership = Membership.objects.get(user=self.p.omar, organisation=self.p.riverside)
        assert membership.roles == ["trainer"]
        assert AuditEvent.objects.filter(
            action=Action.INVITATION_ACCEPTED, actor=self.p.omar
        ).exists()
