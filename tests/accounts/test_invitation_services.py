"""Sending, revoking and accepting invitations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts import access, services
from accounts.models import AuditEvent, Invitation, Membership, User
from tests.accounts.support import PersonasTestCase

Action = AuditEvent.Action
Role = Membership.Role
NEW_PASSWORD = "a-long-and-unusual-passphrase"


class InvitationSendTests(PersonasTestCase):
    def send(
        self, email: str = "newcomer@example.org", roles: list[str] | None = None
    ) -> tuple[Invitation, str]:
        return services.invitation_send(
            organisation=self.p.riverside,
            email=email,
            roles=roles or [Role.PEER_WORKER],
            by=self.p.olive,
            site_root="https://reflect.example.org/",
        )

    def test_an_invitation_is_stored_with_only_a_hash_of_its_token(self) -> None:
        invitation, token = self.send()
        assert invitation.token_hash == access.token_hash(token)
        assert token not in invitation.token_hash
        assert invitation.is_peer_worker
        assert not invitation.is_supervisor
        assert invitation.invited_by == self.p.olive
        assert invitation.is_pending

    def test_the_email_carries_the_one_time_link(self) -> None:
        _invitation, token = self.send()
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["newcomer@example.org"]
        assert "Riverside Peer Support" in message.subject
        assert f"https://reflect.example.org/accounts/invitations/{token}/" in message.body
        assert "Peer worker" in message.body

    def test_the_link_expires_after_the_configured_number_of_days(self) -> None:
        with override_settings(INVITATION_TTL_DAYS=3):
            invitation, _token = self.send()
        assert invitation.expires_at - invitation.created_at == timedelta(days=3)

    def test_without_a_setting_the_link_lasts_seven_days(self) -> None:
        invitation, _token = self.send()
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)

    def test_sending_is_audited_without_the_token(self) -> None:
        invitation, token = self.send()
        event = AuditEvent.objects.get(action=Action.INVITATION_SENT)
        assert event.actor == self.p.olive
        assert event.target_id == str(invitation.pk)
        assert event.detail == {"email": "newcomer@example.org", "roles": ["peer_worker"]}
        assert token not in str(event.detail)

    def test_an_address_of_an_active_member_is_refused_on_the_email_field(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.send(email="ALICE@example.org")
        assert "already a member" in caught.value.message_dict["email"][0]
        assert mail.outbox == []

    def test_an_address_of_a_deactivated_member_points_to_reactivation(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.send(email="dee@example.org")
        assert "reactivate" in caught.value.message_dict["email"][0]

    def test_a_member_of_another_organisation_can_be_invited(self) -> None:
        invitation, _token = self.send(email="omar@example.org")
        assert invitation.organisation == self.p.riverside

    def test_a_second_invitation_replaces_the_first(self) -> None:
        first, _first_token = self.send()
        second, _token = self.send(email="Newcomer@example.org")
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert second.is_pending
        revoked = AuditEvent.objects.get(action=Action.INVITATION_REVOKED)
        assert revoked.detail["replaced"] is True

    def test_no_roles_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            services.invitation_send(
                organisation=self.p.riverside,
                email="x@example.org",
                roles=[],
                by=self.p.olive,
                site_root="https://reflect.example.org/",
            )

    @override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=1,
        EMAIL_TIMEOUT=2,
    )
    def test_when_the_email_cannot_be_sent_nothing_is_saved(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.send()
        assert "could not be sent" in caught.value.messages[0]
        assert not Invitation.objects.exists()
        assert not AuditEvent.objects.exists()


class InvitationAcceptTests(PersonasTestCase):
    def setUp(self) -> None:
        self.invitation, self.token = services.invitation_send(
            organisation=self.p.riverside,
            email="newcomer@example.org",
            roles=[Role.PEER_WORKER, Role.TRAINER],
            by=self.p.olive,
            site_root="http://testserver/",
        )

    def accept(self, username: str = "newcomer", password: str = NEW_PASSWORD) -> User:
        return services.invitation_accept(
            invitation=self.invitation, username=username, password=password, display_name="Nia"
        )

    def test_accepting_creates_the_account_and_a_membership_of_that_organisation_only(self) -> None:
        user = self.accept()
        assert user.email == "newcomer@example.org"
        assert user.display_name == "Nia"
        assert user.check_password(NEW_PASSWORD)
        membership = Membership.objects.get(user=user)
        assert membership.organisation == self.p.riverside
        assert membership.roles == ["peer_worker", "trainer"]
        self.invitation.refresh_from_db()
        assert self.invitation.accepted_by == user
        event = AuditEvent.objects.get(action=Action.INVITATION_ACCEPTED)
        assert event.actor == user
        assert event.subject == user

    def test_the_link_works_only_once(self) -> None:
        self.accept()
        with pytest.raises(ValidationError):
            self.accept(username="someone-else")
        assert not User.objects.filter(username="someone-else").exists()

    def test_an_expired_link_is_refused(self) -> None:
        with (
            time_machine.travel(timezone.now() + timedelta(days=8)),
            pytest.raises(ValidationError),
        ):
            self.accept()
        assert not User.objects.filter(username="newcomer").exists()

    def test_a_revoked_link_is_refused(self) -> None:
        services.invitation_revoke(invitation=self.invitation, by=self.p.olive)
        with pytest.raises(ValidationError):
            self.accept()

    def test_a_taken_user_name_is_refused_on_the_username_field(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.accept(username="Alice")
        assert "username" in caught.value.message_dict

    def test_a_weak_password_is_refused_by_djangos_validators(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.accept(password="password")
        assert "password" in caught.value.message_dict
        self.invitation.refresh_from_db()
        assert self.invitation.is_pending

    def test_an_address_that_already_has_an_account_must_sign_in_instead(self) -> None:
        invitation, _token = services.invitation_send(
            organisation=self.p.riverside,
            email="omar@example.org",
            roles=[Role.PEER_WORKER],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        with pytest.raises(ValidationError):
            services.invitation_accept(
                invitation=invitation, username="omar2", password=NEW_PASSWORD
            )


class InvitationAcceptExistingTests(PersonasTestCase):
    def test_an_existing_account_joins_a_second_organisation(self) -> None:
        invitation, _token = services.invitation_send(
            organisation=self.p.riverside,
            email="omar@example.org",
            roles=[Role.TRAINER],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        membership = services.invitation_accept_existing(invitation=invitation, user=self.p.omar)
        assert membership.organisation == self.p.riverside
        assert membership.roles == ["trainer"]
        assert Membership.objects.filter(user=self.p.omar).count() == 2

    def test_another_account_cannot_use_the_invitation(self) -> None:
        invitation, _token = services.invitation_send(
            organisation=self.p.riverside,
            email="omar@example.org",
            roles=[Role.TRAINER],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        with pytest.raises(ValidationError):
            services.invitation_accept_existing(invitation=invitation, user=self.p.hana)
        assert not Membership.objects.filter(
            user=self.p.hana, organisation=self.p.riverside
        ).exists()


class InvitationRevokeTests(PersonasTestCase):
    def test_revoking_closes_the_link_and_is_audited(self) -> None:
        invitation, _token = services.invitation_send(
            organisation=self.p.riverside,
            email="newcomer@example.org",
            roles=[Role.PEER_WORKER],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        services.invitation_revoke(invitation=invitation, by=self.p.olive)
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.REVOKED
        assert invitation.revoked_by == self.p.olive
        event = AuditEvent.objects.get(action=Action.INVITATION_REVOKED)
        assert event.detail == {"email": "newcomer@example.org", "replaced": False}

    def test_an_accepted_invitation_cannot_be_revoked(self) -> None:
        invitation, _token = services.invitation_send(
            organisation=self.p.riverside,
            email="newcomer@example.org",
            roles=[Role.PEER_WORKER],
            by=self.p.olive,
            site_root="http://testserver/",
        )
        services.invitation_accept(invitation=invitation, username="nia", password=NEW_PASSWORD)
        with pytest.raises(ValidationError):
            services.invitation_revoke(invitation=invitation, by=self.p.olive)


def test_tokens_are_long_and_url_safe() -> None:
    token_pattern = re.compile(r"^[A-Za-z0-9_-]{43}$")
    assert access.TOKEN_MAX_LENGTH >= 43
    assert token_pattern.match("A" * 43)
