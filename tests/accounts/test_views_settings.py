"""The organisation's settings page."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import AuditEvent
from tests.accounts.support import PersonasTestCase


class SettingsPageTests(PersonasTestCase):
    url = reverse("accounts:organisation_settings", kwargs={"slug": "riverside"})

    def test_the_admin_requires_two_factor_and_is_then_asked_to_enrol(self) -> None:
        client = self.p.client_for(self.p.olive)
        assert client.get(self.url).status_code == 200
        response = client.post(self.url, {"requires_two_factor": "on"})
        assert response.status_code == 302
        self.p.riverside.refresh_from_db()
        assert self.p.riverside.requires_two_factor
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_CHANGED).count() == 1
        after = client.get(self.url)
        assert after.status_code == 302
        assert after["Location"] == reverse("mfa_activate_totp")

    def test_an_enrolled_admin_sees_the_setting_on_and_can_turn_it_off(self) -> None:
        Authenticator.objects.create(
            user=self.p.olive, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
        self.p.riverside.requires_two_factor = True
        self.p.riverside.save()
        client = self.p.client_for(self.p.olive)
        html = client.get(self.url).content.decode()
        assert 'id="id_requires_two_factor" checked' in html
        client.post(self.url, {})
        self.p.riverside.refresh_from_db()
        assert not self.p.riverside.requires_two_factor

    def test_non_admins_get_a_404_and_nothing_changes(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.tara, self.p.omar):
            with self.subTest(user=user.username):
                client = self.p.client_for(user)
                assert client.get(self.url).status_code == 404
                assert client.post(self.url, {"requires_two_factor": "on"}).status_code == 404
        self.p.riverside.refresh_from_db()
        assert not self.p.riverside.requires_two_factor

    def test_another_organisations_settings_are_a_404(self) -> None:
        url = reverse("accounts:organisation_settings", kwargs={"slug": "hillside"})
        assert self.p.client_for(self.p.olive).get(url).status_code == 404

    def test_delete_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.olive).delete(self.url).status_code == 405
