"""The Django admin is no side door (finding 3).

Site staff sign in with two-factor like supervisors of an organisation that requires it, and
are sent through the same enrolment journey until they have an authenticator app. Every change
made in the admin, and every admin page that shows a comment or a supervision record, is
written to the same audit trail as the rest of the site. Reflection content (comment bodies,
what a record says) is not shown in the admin at all unless ADMIN_SHOWS_CONTENT is on.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, SupervisionLink, User
from supervision.models import SupervisionRecord
from tests.accounts.auth_support import (
    AuthTestCase,
    enrol_totp,
    secret_on_page,
    totp_code,
)
from tests.base import make_user
from tests.supervision.sharing_support import SharingTestCase

BODY = "J said the hostel move frightened them."
EXPLORED = "We talked about endings with J at the canal."


class AdminTestCase(SharingTestCase):
    staff: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = User.objects.create_user(
            username="stella", email="stella@example.org", is_staff=True, is_superuser=True
        )

    def staff_client(self, *, enrolled: bool = True):  # type: ignore[no-untyped-def]
        if enrolled:
            enrol_totp(self.staff)
        return self.p.client_for(self.staff)


class StaffTwoFactorTests(AuthTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = make_user("stella", is_staff=True, is_superuser=True)

    def test_staff_are_sent_to_set_up_an_authenticator_then_reach_the_admin(self) -> None:
        self.sign_in("stella")
        for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist"), "/"):
            response = self.client.get(url)
            assert response.status_code == 302, url
            assert response["Location"] == reverse("mfa_activate_totp"), url
        self.confirm_password()
        secret = secret_on_page(self.client.get(reverse("mfa_activate_totp")).content.decode())
        response = self.client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert self.client.get(reverse("admin:index")).status_code == 200

    def test_staff_cannot_turn_their_authenticator_off(self) -> None:
        self.enrol("stella")
        self.client.post(reverse("mfa_deactivate_totp"))
        assert Authenticator.objects.filter(user=self.staff, type=Authenticator.Type.TOTP).exists()


class AdminAuditTests(AdminTestCase):
    def test_a_change_in_the_admin_is_audited_with_whose_it_is(self) -> None:
        link = self.p.sam_alice
        client = self.staff_client()
        ended = timezone.localtime()
        response = client.post(
            reverse("admin:accounts_supervisionlink_change", args=[link.pk]),
            {
                "organisation": link.organisation_id,
                "supervisor": link.supervisor_id,
                "worker": link.worker_id,
                "starts_on": link.starts_on.isoformat(),
                "ended_at_0": ended.date().isoformat(),
                "ended_at_1": ended.strftime("%H:%M:%S"),
                "created_by": "",
            },
        )
        assert response.status_code == 302
        assert SupervisionLink.objects.get(pk=link.pk).ended_at is not None
        event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_CHANGED)
        assert event.actor == self.staff
        assert event.target_type == "accounts.supervisionlink"
        assert event.target_id == str(link.pk)
        assert event.subject == self.p.alice
        assert event.organisation == self.p.riverside
        assert event.detail["change"] == "change"

    def test_a_refused_change_writes_nothing(self) -> None:
        client = self.staff_client()
        client.post(
            reverse("admin:accounts_supervisionlink_change", args=[self.p.sam_alice.pk]), {}
        )
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN_CHANGED).exists()

    def test_opening_a_comment_in_the_admin_is_audited(self) -> None:
        reflection = self.full_reflection()
        comment = self.comment(reflection, self.p.sam, BODY)
        client = self.staff_client()
        response = client.get(reverse("admin:supervision_comment_change", args=[comment.pk]))
        assert response.status_code == 200
        event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_VIEWED)
        assert (event.actor, event.subject) == (self.staff, self.p.alice)
        assert (event.target_type, event.target_id) == ("supervision.comment", str(comment.pk))

    def test_opening_a_record_in_the_admin_is_audited(self) -> None:
        record = SupervisionRecord.objects.create(
            organisation=self.p.riverside,
            link=self.p.sam_alice,
            worker=self.p.alice,
            supervisor=self.p.sam,
            held_on=timezone.localdate(),
            explored=EXPLORED,
        )
        client = self.staff_client()
        url = reverse("admin:supervision_supervisionrecord_change", args=[record.pk])
        assert client.get(url).status_code == 200
        event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_VIEWED)
        assert (event.subject, event.organisation) == (self.p.alice, self.p.riverside)


class AdminContentTests(AdminTestCase):
    def test_comment_and_record_text_are_not_shown_by_default(self) -> None:
        reflection = self.full_reflection()
        comment = self.comment(reflection, self.p.sam, BODY)
        record = SupervisionRecord.objects.create(
            organisation=self.p.riverside,
            link=self.p.sam_alice,
            worker=self.p.alice,
            supervisor=self.p.sam,
            held_on=timezone.localdate(),
            explored=EXPLORED,
        )
        client = self.staff_client()
        pages = [
            reverse("admin:supervision_comment_change", args=[comment.pk]),
            reverse("admin:supervision_comment_changelist"),
            reverse("admin:supervision_supervisionrecord_change", args=[record.pk]),
            reverse("admin:supervision_share_changelist"),
        ]
        for url in pages:
            html = client.get(url).content.decode()
            assert BODY not in html, url
            assert EXPLORED not in html, url
            assert "with J" not in html, url

    @override_settings(ADMIN_SHOWS_CONTENT=True)
    def test_the_setting_shows_them_when_an_organisation_needs_it(self) -> None:
        reflection = self.full_reflection()
        comment = self.comment(reflection, self.p.sam, BODY)
        client = self.staff_client()
        html = client.get(
            reverse("admin:supervision_comment_change", args=[comment.pk])
        ).content.decode()
        assert BODY in html
